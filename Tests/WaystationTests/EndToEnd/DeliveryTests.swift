import Foundation
import Testing
import WaystationTestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite("End to end: MQTT scans to the HTTP receiver", .serialized)
struct DeliveryTests {
    @Test("10,000 QoS 1 scans arrive exactly once, in seq order")
    func tenThousandScans() async throws {
        let harness = try await Harness.start("10k")
        defer { Task { await harness.stop() } }
        let published = try await ScanPublisher(port: harness.broker.port).publish(0..<10_000)
        #expect(await harness.delivered(10_000) == 10_000)
        let events = try harness.receiver.events()
        #expect(events.count == 10_000)
        #expect(Set(events.compactMap(\.messageID)) == Set(published))
        harness.expectOrderedAndUnique(events)
        #expect(events.map(\.seq).sorted() == Array(1...10_000))
        #expect(try harness.receiver.outOfOrder() == 0)
        let stats = try harness.agent.stats()
        #expect(stats.totals["accepted"] == 10_000)
        #expect(stats.lanes.allSatisfy { $0.backlog == 0 })
        await harness.stop()
    }

    @Test("A device retransmitting the same message id is accepted once")
    func retransmissionsAreDeduplicated() async throws {
        let harness = try await Harness.start("dedupe")
        defer { Task { await harness.stop() } }
        let publisher = ScanPublisher(port: harness.broker.port, clientID: "retransmitter")
        try await publisher.publish(0..<50)
        try await publisher.publish(0..<50)  // the same 50 message ids again
        try await publisher.publish(50..<60)
        #expect(await harness.delivered(60) == 60)
        try await Task.sleep(for: .milliseconds(500))
        #expect(harness.receiver.eventCount() == 60)
        #expect(try harness.agent.stats().totals["duplicates"] == 50)
        await harness.stop()
    }

    @Test("Malformed payloads are counted and stored in rejected; the agent keeps delivering")
    func malformedPayloads() async throws {
        let harness = try await Harness.start("malformed")
        defer { Task { await harness.stop() } }
        let topic = "warehouse/dock1/scanner/1/scan"
        let bad: [(String, [UInt8])] = [
            ("invalid JSON", Array("{\"barcode\": ".utf8)),
            ("missing barcode", Array("{\"qty\": 1, \"msgId\": \"m1\"}".utf8)),
            ("barcode wrong type", Array("{\"barcode\": 4006381333931, \"msgId\": \"m2\"}".utf8)),
            ("quantity wrong type", Array("{\"barcode\": \"4006381333931\", \"qty\": [1], \"msgId\": \"m3\"}".utf8)),
            ("not an object", Array("[1,2,3]".utf8)),
            ("1 MiB payload", Array(repeating: UInt8(ascii: "x"), count: 1 << 20)),
            ("binary garbage", (0..<256).map { UInt8($0) }),
        ]
        var messages: [(topic: String, payload: [UInt8])] = []
        for (index, item) in bad.enumerated() {
            messages.append((topic, ScanPublisher.payload(index, clientID: "good")))
            messages.append((topic, item.1))
        }
        messages.append((topic, ScanPublisher.payload(99, clientID: "good")))
        try await ScanPublisher(port: harness.broker.port, clientID: "mixed").publishPayloads(messages)
        #expect(await harness.delivered(bad.count + 1) == bad.count + 1)
        let rejectedCounted = await TestEnvironment.eventually(timeout: .seconds(10)) {
            (try? harness.agent.stats().totals["rejected"]) == Int64(bad.count)
        }
        #expect(rejectedCounted)
        let rejected = try StoreReaderRows.rejected(harness.agent.stateDirectory)
        #expect(rejected.count == bad.count)
        #expect(rejected.contains { $0.contains("invalid JSON") })
        #expect(rejected.contains { $0.contains("barcode (/barcode) is missing") })
        #expect(rejected.contains { $0.contains("payload too large: 1048576 bytes") })
        #expect(harness.agent.isRunning)
        // Still delivering after all that.
        try await ScanPublisher(port: harness.broker.port, clientID: "after").publish(0..<10)
        #expect(await harness.delivered(bad.count + 11) == bad.count + 11)
        await harness.stop()
    }

    @Test("SIGTERM drains and exits 0; the store keeps what was not delivered")
    func sigtermDrains() async throws {
        let harness = try await Harness.start("sigterm")
        defer { Task { await harness.stop() } }
        try await ScanPublisher(port: harness.broker.port).publish(0..<200)
        #expect(await harness.delivered(200) == 200)
        let status = await harness.agent.terminate()
        #expect(status == 0, "agent exit status \(String(describing: status)): \(harness.agent.log)")
        await harness.stop()
    }

    @Test("SIGHUP reloads the config: a new device's scans are delivered, nothing buffered is lost")
    func sighupAddsDevice() async throws {
        let harness = try await Harness.start("sighup")
        defer { Task { await harness.stop() } }
        try await ScanPublisher(port: harness.broker.port).publish(0..<100)
        #expect(await harness.delivered(100) == 100)
        let devices = """
              - id: dock1-scanner
                profile: gs1-scanner
                topic: warehouse/dock1/scanner/+/scan
              - id: recv-raw
                profile: raw-scanner
                topic: warehouse/receiving/+/raw
                set: { location: RECV-1 }
            """
        try harness.agent.writeConfig(AgentProcess.config(broker: harness.broker.url, upstream: harness.receiver.url, devices: devices))
        harness.agent.signal(SIGHUP)
        #expect(await TestEnvironment.eventually(timeout: .seconds(10)) { harness.agent.log.contains("config reloaded") })
        try await ScanPublisher(port: harness.broker.port, clientID: "raw").publishPayloads(
            (0..<5).map { _ in ("warehouse/receiving/1/raw", Array("4006381333931\r\n".utf8)) })
        #expect(await harness.delivered(105) == 105)
        let raw = try harness.receiver.events().filter { $0.device == "recv-raw" }
        #expect(raw.count == 5)
        #expect(raw.allSatisfy { $0.body.contains("\"barcode\":\"4006381333931\"") && $0.body.contains("RECV-1") })

        // An invalid config on SIGHUP is refused and the agent keeps running the old one.
        try harness.agent.writeConfig("gateway: { id: Bad_ID }\n")
        harness.agent.signal(SIGHUP)
        #expect(await TestEnvironment.eventually(timeout: .seconds(10)) { harness.agent.log.contains("config reload rejected") })
        try await ScanPublisher(port: harness.broker.port, clientID: "after-bad").publish(0..<5)
        #expect(await harness.delivered(110) == 110)
        await harness.stop()
    }
}

/// Rejected rows as "reason" strings, read from the store.
enum StoreReaderRows {
    static func rejected(_ stateDirectory: String) throws -> [String] {
        let result = try TestEnvironment.run(TestEnvironment.binary, ["rejected", "--state-dir", stateDirectory, "--limit", "100"])
        return result.output.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("no rejected") }
    }
}
