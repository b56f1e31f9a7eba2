import Foundation
import Testing
import WaystationTestSupport

@Suite("End to end: 413 splitting, poison isolation, dead-letter replay", .serialized)
struct PoisonTests {
    @Test("Poison events are isolated in O(log n) requests, dead-lettered, the rest delivered in order; replay brings them back")
    func poisonIsolationAndReplay() async throws {
        let harness = try await Harness.start("poison", receiverArguments: ["--poison-matching", "POISON", "--max-batch-events", "300"]) { broker, receiver in
            AgentProcess.config(broker: broker.url, upstream: receiver.url, maxEvents: 500)
        }
        defer { Task { await harness.stop() } }
        // The upstream is down while 2,000 scans arrive, so full batches of 500 form; two are poisoned.
        try harness.receiver.injectFault(status: 503, count: 1_000_000)
        let poisoned: Set<Int> = [137, 1_444]
        let topic = "warehouse/dock1/scanner/1/scan"
        let messages = (0..<2_000).map { index in
            (topic: topic, payload: Array("{\"barcode\":\"\(poisoned.contains(index) ? "POISON-\(index)" : "4006381333931")\",\"msgId\":\"p-\(index)\"}".utf8))
        }
        try await ScanPublisher(port: harness.broker.port, clientID: "poison").publishPayloads(messages)
        #expect(await TestEnvironment.eventually(timeout: .seconds(20)) { (try? harness.agent.stats().totals["accepted"]) == 2_000 })
        let failedBefore = try harness.receiver.requests().count
        try harness.receiver.clearFault()
        #expect(await harness.delivered(1_998) == 1_998)
        #expect(await TestEnvironment.eventually(timeout: .seconds(10)) { (try? harness.agent.stats().deadLetters) == 2 })
        let events = try harness.receiver.events()
        harness.expectOrderedAndUnique(events)
        #expect(!events.contains { $0.body.contains("POISON") })
        let requests = try harness.receiver.requests().dropFirst(failedBefore)
        let statuses = Dictionary(grouping: requests, by: \.status).mapValues(\.count)
        print("poison test: \(requests.count) requests after the outage: \(statuses)")
        #expect(statuses[413, default: 0] >= 1, "batches of 500 exceed the receiver's 300 and are split")
        // Splitting 500 → 250 → … → 1 twice, plus the good halves: bounded by a few dozen, far below one per event.
        #expect(statuses[422, default: 0] <= 2 * 10, "isolation takes O(log n) refusals per poison event")
        #expect(requests.count <= 60)

        let letters = try TestEnvironment.run(TestEnvironment.binary, ["deadletter", "list", "--json", "--state-dir", harness.agent.stateDirectory])
        #expect(letters.output.split(separator: "\n").count == 2)
        #expect(letters.output.contains("HTTP 422"))

        // The upstream is fixed: replay while the agent runs puts them back, same ids, new seqs, delivered.
        await harness.receiver.stop()
        let fixed = try Receiver(directory: harness.directory, port: harness.receiver.port)
        #expect(await fixed.ready())
        let replay = try TestEnvironment.run(TestEnvironment.binary, ["deadletter", "replay", "--all", "--state-dir", harness.agent.stateDirectory])
        #expect(replay.status == 0 && replay.output.contains("replayed 2"), "\(replay.output)")
        #expect(await TestEnvironment.eventually(timeout: .seconds(20)) { fixed.eventCount() == 2_000 })
        #expect(try harness.agent.stats().deadLetters == 0)
        let replayed = try fixed.events().filter { $0.body.contains("POISON") }
        #expect(replayed.count == 2)
        #expect(replayed.allSatisfy { letters.output.contains($0.id) }, "replayed events keep their original ids")
        await fixed.stop()
        await harness.stop()
    }
}
