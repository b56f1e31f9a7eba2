import Fleet
import Foundation
import Testing
import WaystationTestSupport

@Suite("Fleet control over MQTT: signed config pushed, applied, reported", .serialized)
struct FleetControlTests {
    @Test("A signed config adding a device is applied, reported, and the new device's events arrive")
    func signedConfigAddsDevice() async throws {
        let harness = try await FleetHarness.start("add-device")
        defer { Task { await harness.stop() } }
        let message = try harness.centre.sign(harness.pushedConfig(devices: FleetHarness.twoScanners), version: 1)
        let report = try await harness.push(message)
        #expect(report?.status == .applied, "report: \(String(describing: report)); log: \(harness.agent.log)")
        #expect(report?.version == 1)
        #expect(report?.errors == [])
        try await ScanPublisher(port: harness.broker.port, clientID: "dock2").publish(0..<20, topic: "warehouse/dock2/scanner/1/scan")
        #expect(await TestEnvironment.eventually(timeout: .seconds(20)) { harness.delivered(from: "dock2-scanner") == 20 })
        #expect(await TestEnvironment.eventually(timeout: .seconds(5)) { (harness.centre.status?["configVersion"] as? Int) == 1 })
        let status = harness.centre.status ?? [:]
        #expect(status["agentVersion"] != nil && status["lanes"] != nil && status["rates"] != nil)
        Self.recordExchange(harness, message: message)
        await harness.stop()
    }

    @Test("Bad pushes are each rejected with their own reason; delivery goes on and nothing is lost")
    func badPushesAreRejected() async throws {
        let harness = try await FleetHarness.start("rejected")
        defer { Task { await harness.stop() } }
        let centre = harness.centre
        let good = harness.pushedConfig(devices: FleetHarness.twoScanners)
        #expect(try await harness.push(centre.sign(good, version: 10))?.status == .applied)
        // Scans keep flowing on both devices while the bad configs arrive.
        let load = Task {
            try await ScanPublisher(port: harness.broker.port, clientID: "steady").publish(0..<1_500, rate: 300)
        }
        var tampered = try centre.sign(good, version: 11)
        tampered.config = tampered.config.replacingOccurrences(of: "DOCK-2", with: "DOCK-9")
        let cases: [(String, DesiredConfig, String)] = [
            ("unsigned", DesiredConfig(version: 11, config: good), "unsigned"),
            ("wrong key", try centre.sign(good, version: 11, by: ControlCentre.strangerKey()), "which is not trusted here"),
            ("tampered YAML", tampered, "bad signature"),
            ("older version", try centre.sign(good, version: 3), "version 3 is not newer than 10"),
            ("invalid YAML", try centre.sign(good + "\n  devices: [unclosed\n", version: 12), "config/desired v12:"),
            ("unknown profile", try centre.sign(good.replacingOccurrences(of: "profile: gs1-scanner", with: "profile: gs1-scaner"), version: 13),
             "no profile 'gs1-scaner'"),
            ("gateway id change", try centre.sign(good.replacingOccurrences(of: "id: test-gw", with: "id: other-gw"), version: 14),
             "may not change the gateway id"),
        ]
        for (name, message, expected) in cases {
            let report = try await harness.push(message)
            #expect(report?.status == .rejected, "\(name): \(String(describing: report))")
            #expect(report?.errors.contains { $0.contains(expected) } == true, "\(name): \(report?.errors ?? [])")
            #expect(report?.running == 10, "\(name)")
        }
        let reasons = centre.reports.suffix(cases.count).map { $0.errors.joined(separator: " ") }
        try? centre.texts(on: "config/reported").joined(separator: "\n")
            .write(toFile: NSTemporaryDirectory() + "waystation-fleet-rejections.txt", atomically: true, encoding: .utf8)
        #expect(Set(reasons).count == cases.count, "each rejection names its own problem")
        _ = try await load.value
        #expect(await waitDelivered(harness, 1_500) == 1_500)
        let events = try harness.receiver.events()
        #expect(Set(events.compactMap(\.messageID)).count == 1_500)
        #expect(harness.agent.isRunning)
        #expect((centre.status?["configVersion"] as? Int) == 10)
        await harness.stop()
    }

    @Test("20 good config swaps under 2,000 events/s: none lost, none duplicated")
    func swapsUnderLoad() async throws {
        let harness = try await FleetHarness.start("swaps")
        defer { Task { await harness.stop() } }
        let total = 24_000
        let started = ContinuousClock.now
        let load = Task {
            try await ScanPublisher(port: harness.broker.port, clientID: "load").publish(0..<total, rate: 2_000)
        }
        try await Task.sleep(for: .milliseconds(500))
        var applied = 0
        for version in 1...20 {
            // Alternate the device list and the upstream's sink settings (a new sink each time).
            let config = harness.pushedConfig(devices: version % 2 == 0 ? FleetHarness.twoScanners : nil)
                .replacingOccurrences(of: "timeout: 5s", with: "timeout: \(5 + version % 3)s")
            let report = try await harness.push(try harness.centre.sign(config, version: Int64(version)))
            if report?.status == .applied { applied += 1 } else { Issue.record("swap \(version): \(String(describing: report))") }
        }
        let swapSeconds = (ContinuousClock.now - started).components.seconds
        _ = try await load.value
        #expect(applied == 20)
        #expect(swapSeconds < 12, "the 20 swaps took \(swapSeconds)s: they did not overlap the load")
        #expect(await waitDelivered(harness, total) == total)
        let events = try harness.receiver.events()
        let ids = events.compactMap(\.messageID)
        #expect(ids.count == total)
        #expect(Set(ids).count == total, "a scan arrived as two events")
        #expect(try harness.receiver.outOfOrder() == 0)
        await harness.stop()
    }

    @Test("A config whose upstream is unreachable is rolled back after probation; its events are delivered")
    func unreachableUpstreamRollsBack() async throws {
        let harness = try await FleetHarness.start("rollback", probation: "3s")
        defer { Task { await harness.stop() } }
        let closed = "http://127.0.0.1:\(TestEnvironment.freePort())/v1/events"
        let index = harness.centre.reports.count
        try await harness.centre.push(try harness.centre.sign(harness.pushedConfig(upstream: closed), version: 1))
        try await ScanPublisher(port: harness.broker.port, clientID: "during").publish(0..<100, rate: 40)
        let report = await harness.centre.report(index, timeout: .seconds(30))
        #expect(report?.status == .rolledBack, "\(String(describing: report))")
        #expect(report?.errors.first?.contains("upstream \(closed) not reachable within the 3s probation") == true, "\(report?.errors ?? [])")
        #expect(report?.errors.last?.contains("running the local config file again") == true)
        #expect(await waitDelivered(harness, 100) == 100)
        #expect(Set(try harness.receiver.events().compactMap(\.messageID)).count == 100)
        // The same version is not taken again.
        let again = try await harness.push(try harness.centre.sign(harness.pushedConfig(), version: 1))
        #expect(again?.status == .rejected)
        await harness.stop()
    }

    @Test("After a restart the agent runs the applied remote config, not the bootstrap file's devices")
    func restartRunsRemoteConfig() async throws {
        let harness = try await FleetHarness.start("restart")
        defer { Task { await harness.stop() } }
        let dock9 = FleetHarness.scanner(dock: 9)
        #expect(try await harness.push(harness.centre.sign(harness.pushedConfig(devices: dock9), version: 4))?.status == .applied)
        #expect(await harness.agent.terminate() == 0)
        let reportsBefore = harness.centre.reports.count
        try harness.agent.start()
        #expect(await harness.agent.connected())
        #expect(harness.agent.log.contains("running the remote config kept in the state directory"))
        try await ScanPublisher(port: harness.broker.port, clientID: "after").publish(0..<10, topic: "warehouse/dock9/scanner/1/scan")
        #expect(await TestEnvironment.eventually(timeout: .seconds(20)) { harness.delivered(from: "dock9-scanner") == 10 })
        // The bootstrap file's device is gone: its topic is no longer subscribed.
        try await ScanPublisher(port: harness.broker.port, clientID: "old").publish(0..<5)
        // The retained desired message came again on reconnect and was recognised, not re-reported.
        try await Task.sleep(for: .seconds(1))
        #expect(harness.delivered(from: "dock1-scanner") == 0)
        #expect(harness.centre.reports.count == reportsBefore)
        #expect((harness.centre.status?["configVersion"] as? Int) == 4)
        await harness.stop()
    }

    @Test("Keys rotate in two signed pushes; the rotated keys survive a restart and win over the local file")
    func keyRotation() async throws {
        let harness = try await FleetHarness.start("rotation")
        defer { Task { await harness.stop() } }
        let centre = harness.centre
        let old = centre.signer
        let new = try ControlCentre.strangerKey()
        func config(keys: [FleetSigner]) -> String {
            harness.pushedConfig() + "\n" + centre.controlSection(broker: harness.broker.url, keys: keys.map(\.publicKey)) + "\n"
        }
        // Dropping the signing key in the same push is refused: it could lock the centre out.
        let lockout = try await harness.push(centre.sign(config(keys: [new]), version: 1, by: old))
        #expect(lockout?.errors.first?.contains("signed by a key that stays trusted") == true, "\(String(describing: lockout))")
        #expect(try await harness.push(centre.sign(config(keys: [old, new]), version: 2, by: old))?.status == .applied)
        #expect(try await harness.push(centre.sign(config(keys: [new]), version: 3, by: new))?.status == .applied)
        #expect(await harness.agent.terminate() == 0)
        try harness.agent.start()
        #expect(await harness.online())
        let byOld = try await harness.push(centre.sign(harness.pushedConfig(), version: 4, by: old))
        #expect(byOld?.errors.first?.contains("not trusted here") == true, "\(String(describing: byOld))")
        #expect(try await harness.push(centre.sign(harness.pushedConfig(), version: 5, by: new))?.status == .applied)
        await harness.stop()
    }

    @Test("Commands are signed, replay-protected and answered on their result topic")
    func commands() async throws {
        let harness = try await FleetHarness.start("commands")
        defer { Task { await harness.stop() } }
        let centre = harness.centre
        try await centre.command("flush", nonce: 100)
        try await centre.command("deadletter/replay", nonce: 101)
        try await centre.command("reload", nonce: 102)
        try await centre.command("flush", nonce: 100)  // replayed: an older nonce
        try await centre.command("flush", nonce: 103, by: ControlCentre.strangerKey())
        #expect(await TestEnvironment.eventually(timeout: .seconds(20)) {
            centre.results(of: "flush").count == 3 && centre.results(of: "reload").count == 1 && centre.results(of: "deadletter/replay").count == 1
        })
        let flushes = centre.results(of: "flush")
        #expect(flushes.first?.status == .done)
        #expect(centre.results(of: "deadletter/replay").first?.result == "replayed 0 dead letter(s)")
        #expect(centre.results(of: "reload").first?.status == .done)
        #expect(flushes.dropFirst().first?.errors.first?.contains("nonce 100 is not above 102") == true, "\(flushes)")
        #expect(flushes.last?.errors.first?.contains("not trusted here") == true)
        // Stopping says offline on the status topic.
        await harness.agent.stop()
        #expect(await TestEnvironment.eventually(timeout: .seconds(10)) { (centre.status?["state"] as? String) == "offline" })
        await harness.stop()
    }

    private func waitDelivered(_ harness: FleetHarness, _ count: Int) async -> Int {
        _ = await TestEnvironment.eventually(timeout: .seconds(60), interval: .milliseconds(200)) { harness.receiver.eventCount() >= count }
        return harness.receiver.eventCount()
    }

    /// Writes one desired/reported exchange where the issue's note can quote it.
    static func recordExchange(_ harness: FleetHarness, message: DesiredConfig) {
        var shown = message
        shown.config = String(shown.config.prefix(120)) + "…"
        let text = """
            → \(harness.centre.prefix)/config/desired (retained)
            \(FleetJSON.text(shown))
            ← \(harness.centre.prefix)/config/reported (retained)
            \(harness.centre.texts(on: "config/reported").last ?? "-")
            ← \(harness.centre.prefix)/status (retained)
            \(harness.centre.texts(on: "status").last ?? "-")

            """
        try? text.write(toFile: NSTemporaryDirectory() + "waystation-fleet-exchange.txt", atomically: true, encoding: .utf8)
    }
}
