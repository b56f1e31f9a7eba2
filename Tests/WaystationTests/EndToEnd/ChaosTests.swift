import Foundation
import Testing
import WaystationCore
import WaystationTestSupport

#if canImport(Glibc)
import Glibc
#endif


@Suite("Chaos: kill -9 and upstream outages", .serialized)
struct ChaosTests {
    @Test("50,000 scans, 12 × kill -9, a flapping upstream: nothing lost, every event delivered once, in order")
    func killNineMidStream() async throws {
        let harness = try await Harness.start("kill9", durability: "power")
        defer { Task { await harness.stop() } }
        let total = 50_000
        let kills = 12
        var generator = SplitMix64(seed: 20_261_122)
        let publishing = Task {
            try await ScanPublisher(port: harness.broker.port, clientID: "chaos").publish(0..<total, rate: 2_500)
        }
        // The upstream flaps between healthy, 503, 429 with Retry-After, and slow, on its own seeded schedule.
        let flapping = Task {
            var flaps = SplitMix64(seed: 7)
            while !Task.isCancelled {
                switch Int.random(in: 0..<4, using: &flaps) {
                case 0: try? harness.receiver.clearFault()
                case 1: try? harness.receiver.injectFault(status: 503, count: 5)
                case 2: try? harness.receiver.injectFault(status: 429, count: 2, retryAfter: 1)
                default: try? harness.receiver.injectFault(status: 200, count: 0, delayMs: 0)
                }
                if Int.random(in: 0..<4, using: &flaps) == 0 { try? harness.receiver.injectFault(status: 503, count: 3, delayMs: 400) }
                try? await Task.sleep(for: .milliseconds(Int.random(in: 300...900, using: &flaps)))
            }
        }
        for _ in 0..<kills {
            try await Task.sleep(for: .milliseconds(Int.random(in: 600...1_600, using: &generator)))
            await harness.agent.kill9()
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...300, using: &generator)))
            try harness.agent.start()
        }
        let published = try await publishing.value
        flapping.cancel()
        try harness.receiver.clearFault()
        let arrived = await TestEnvironment.eventually(timeout: .seconds(240), interval: .milliseconds(250)) {
            harness.receiver.eventCount() >= total
        }
        #expect(arrived, "receiver has \(harness.receiver.eventCount()) of \(total)")
        try await Task.sleep(for: .seconds(1))  // let anything still queued at the broker drain
        let events = try harness.receiver.events()
        let messageIDs = events.compactMap(\.messageID)
        let lost = Set(published).subtracting(messageIDs).count
        let requests = try harness.receiver.requests()
        let resent = try harness.receiver.duplicatesSeen()
        print(
            "chaos: \(total) published, \(kills) kills, \(Set(messageIDs).count) delivered, \(lost) lost, "
                + "\(resent) duplicates received before dedupe (0 after), \(requests.filter { $0.status != 200 }.count) failed requests")
        // A burst is committed before its PUBACKs are written, so a kill can only make the broker send again.
        #expect(lost == 0, "lost \(lost) scans over \(kills) kills")
        #expect(Set(messageIDs).count == messageIDs.count, "a device message was accepted twice")
        harness.expectOrderedAndUnique(events)
        let stats = try harness.agent.stats()
        #expect(stats.totals["accepted"].map(Int.init) == events.count, "every event committed to the outbox is delivered")
        #expect(stats.lanes.allSatisfy { $0.backlog == 0 })
        // Sealed batches survive restarts: two keys of one lane never cover overlapping seq ranges.
        let ranges = Set(requests.compactMap(\.key)).compactMap { key -> (String, ClosedRange<Int64>)? in
            let parts = key.split(separator: "/")
            let bounds = parts.last?.split(separator: "-").compactMap { Int64($0) } ?? []
            guard parts.count == 3, bounds.count == 2 else { return nil }
            return (String(parts[1]), bounds[0]...bounds[1])
        }.sorted { $0.1.lowerBound < $1.1.lowerBound }
        var overlaps = 0
        for (a, b) in zip(ranges, ranges.dropFirst()) where a.0 == b.0 && a.1.overlaps(b.1) && a.1 != b.1 {
            // A split (413/poison) makes halves inside a range; there is none in this run, so any overlap is a reseal.
            overlaps += 1
        }
        #expect(overlaps == 0, "a retried batch was resealed differently")
        await harness.stop()
    }

    @Test("Upstream answering 503, then 429 with Retry-After, then gone: all delivered after it returns, with the same keys")
    func upstreamOutage() async throws {
        let harness = try await Harness.start("outage")
        defer { Task { await harness.stop() } }
        try harness.receiver.injectFault(status: 503, count: 1_000_000)
        let publisher = ScanPublisher(port: harness.broker.port, clientID: "outage")
        try await publisher.publish(0..<5_000)
        #expect(await TestEnvironment.eventually(timeout: .seconds(30)) { (try? harness.agent.stats().totals["accepted"]) == 5_000 })
        try await Task.sleep(for: .seconds(2))
        #expect(harness.receiver.eventCount() == 0)
        try harness.receiver.injectFault(status: 429, count: 3, retryAfter: 1)
        #expect(await harness.delivered(5_000) == 5_000)

        // The receiver process goes away entirely (connection refused), then comes back.
        await harness.receiver.stop()
        try await publisher.publish(5_000..<6_000)
        #expect(await TestEnvironment.eventually(timeout: .seconds(30)) { (try? harness.agent.stats().totals["accepted"]) == 6_000 })
        try harness.receiver.start()
        #expect(await harness.receiver.ready())
        #expect(await harness.delivered(6_000) == 6_000)

        let events = try harness.receiver.events()
        harness.expectOrderedAndUnique(events)
        #expect(Set(events.compactMap(\.messageID)).count == 6_000)
        let requests = try harness.receiver.requests()
        let failedKeys = Set(requests.filter { $0.status != 200 }.compactMap(\.key))
        let deliveredKeys = Set(requests.filter { $0.status == 200 }.compactMap(\.key))
        #expect(requests.contains { $0.status == 503 })
        #expect(requests.contains { $0.status == 429 })
        #expect(!failedKeys.isEmpty)
        #expect(failedKeys.isSubset(of: deliveredKeys), "a retried batch was resent under another key")
        await harness.stop()
    }

    @Test("Bearer token, gzip, per-event refusals to the dead letter; a bad token pauses without dropping")
    func authGzipAndDeadLetter() async throws {
        let directory = try TestEnvironment.temporaryDirectory("auth-tokens")
        try "s3cret-token\n".write(toFile: directory + "/receiver.token", atomically: true, encoding: .utf8)
        try "wrong-token\n".write(toFile: directory + "/agent.token", atomically: true, encoding: .utf8)
        let harness = try await Harness.start(
            "auth", receiverArguments: ["--token-file", directory + "/receiver.token", "--reject-matching", "POISON"]
        ) { broker, receiver in
            AgentProcess.config(broker: broker.url, upstream: receiver.url, extraUpstream: "  tokenFile: \(directory)/agent.token")
        }
        defer { Task { await harness.stop() } }
        let topic = "warehouse/dock1/scanner/1/scan"
        var messages: [(topic: String, payload: [UInt8])] = []
        for index in 0..<300 {
            let barcode = index % 100 == 7 ? "POISON-\(index)" : "4006381333931"
            messages.append((topic, Array("{\"barcode\":\"\(barcode)\",\"msgId\":\"a-\(index)\"}".utf8)))
        }
        try await ScanPublisher(port: harness.broker.port, clientID: "auth").publishPayloads(messages)
        #expect(await TestEnvironment.eventually(timeout: .seconds(10)) { (try? harness.receiver.requests().contains { $0.status == 401 }) == true })
        #expect(harness.receiver.eventCount() == 0)
        #expect(
            await TestEnvironment.eventually(timeout: .seconds(10)) { (try? harness.agent.stats().totals["accepted"]) == 300 },
            "nothing dropped while the token is refused")
        #expect(harness.receiver.eventCount() == 0)

        try "s3cret-token\n".write(toFile: directory + "/agent.token", atomically: true, encoding: .utf8)
        harness.agent.signal(SIGHUP)
        #expect(await harness.delivered(297) == 297)
        #expect(await TestEnvironment.eventually(timeout: .seconds(10)) { (try? harness.agent.stats().deadLetters) == 3 })
        let list = try TestEnvironment.run(TestEnvironment.binary, ["deadletter", "list", "--state-dir", harness.agent.stateDirectory])
        #expect(list.status == 0)
        #expect(list.output.split(separator: "\n").count == 3 && list.output.contains("contains 'POISON'"))
        #expect(try harness.receiver.requests().contains { $0.status == 200 && $0.gzip }, "batches over 1 KiB are gzip-compressed")
        let status = try TestEnvironment.run(TestEnvironment.binary, ["status", "--state-dir", harness.agent.stateDirectory, "--json"])
        #expect(status.status == 0 && status.output.contains("\"deadLetters\" : 3"))
        await harness.stop()
    }
}
