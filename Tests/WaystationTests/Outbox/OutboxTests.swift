import Foundation
import GRDB
import Logging
import Testing
import WaystationCore
import WaystationTestSupport

@testable import Outbox

@Suite("Outbox: acceptance, seq, sealed batches, acknowledgement")
struct OutboxTests {
    static func open(_ directory: String, durability: AgentConfig.Durability = .process) throws -> Outbox {
        try Outbox.open(
            .init(directory: directory, durability: durability, gateway: "gw-1", site: "SITE"), logger: Logger(label: "test"))
    }

    static func scan(_ barcode: String, device: String = "dev-1") -> EventDraft {
        EventDraft(type: .scan, device: device, subject: JSONObject([("barcode", .string(barcode))]))
    }

    @Test("Events get seq 1, 2, 3… per lane and unique UUIDv7 ids")
    func seqPerLane() async throws {
        let directory = try TestEnvironment.temporaryDirectory("outbox-seq")
        let outbox = try Self.open(directory)
        let inputs: [OutboxInput] = (0..<10).map { index in
            index % 2 == 0
                ? .event(Self.scan("b\(index)"), dedupe: nil)
                : .event(EventDraft(type: .measurement, device: "s-1", data: JSONObject([("value", .int(Int64(index)))])), dedupe: nil)
        }
        let outcomes = await outbox.accept(inputs)
        #expect(outcomes.filter { if case .accepted(.critical, _) = $0 { true } else { false } }.count == 5)
        #expect(outcomes.compactMap { if case .accepted(.bulk, let seq) = $0 { seq } else { nil } } == [Int64(1), 2, 3, 4, 5])
        let batch = try #require(try await outbox.nextBatch(.critical, limits: .init(maxEvents: 100, maxBytes: 1 << 20), gateway: "gw-1"))
        #expect(batch.events.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(Set(batch.events.map(\.id)).count == 5)
        #expect(batch.events.allSatisfy { $0.id.count == 36 && Array($0.id)[14] == "7" })
        await outbox.close()
    }

    @Test("A sealed batch is resent identically after a restart, with the same key and body")
    func sealedBatchSurvivesRestart() async throws {
        let directory = try TestEnvironment.temporaryDirectory("outbox-sealed")
        var outbox = try Self.open(directory)
        _ = await outbox.accept((0..<20).map { .event(Self.scan("b\($0)"), dedupe: nil) })
        let first = try #require(try await outbox.nextBatch(.critical, limits: .init(maxEvents: 8, maxBytes: 1 << 20), gateway: "gw-1"))
        #expect(first.firstSeq == 1 && first.lastSeq == 8)
        try await outbox.recordAttempt(first)
        _ = await outbox.accept((20..<25).map { .event(Self.scan("b\($0)"), dedupe: nil) })
        await outbox.close()

        outbox = try Self.open(directory)
        let again = try #require(try await outbox.nextBatch(.critical, limits: .init(maxEvents: 100, maxBytes: 1 << 20), gateway: "other"))
        #expect(again.idempotencyKey == first.idempotencyKey)
        #expect(again.body == first.body, "a retry sends byte-identical content")
        #expect(again.attempts == 1)
        try await outbox.acknowledge(again, refused: [])
        let next = try #require(try await outbox.nextBatch(.critical, limits: .init(maxEvents: 100, maxBytes: 1 << 20), gateway: "gw-1"))
        #expect(next.firstSeq == 9 && next.lastSeq == 25)
        await outbox.close()
    }

    @Test("Acknowledging removes the batch; refused events move to the dead letter with the reason")
    func acknowledgeAndDeadLetter() async throws {
        let directory = try TestEnvironment.temporaryDirectory("outbox-ack")
        let outbox = try Self.open(directory)
        _ = await outbox.accept((0..<5).map { .event(Self.scan("b\($0)"), dedupe: nil) })
        let batch = try #require(try await outbox.nextBatch(.critical, limits: .init(maxEvents: 100, maxBytes: 1 << 20), gateway: "gw-1"))
        try await outbox.acknowledge(batch, refused: [EventRefusal(id: batch.events[2].id, reason: "unknown GTIN")])
        let stats = try await outbox.stats()
        #expect(stats.lanes.allSatisfy { $0.backlog == 0 })
        #expect(stats.deadLetters == 1)
        #expect(stats.totals["delivered"] == 4)
        #expect(try await outbox.nextBatch(.critical, limits: .init(maxEvents: 100, maxBytes: 1 << 20), gateway: "gw-1") == nil)
        await outbox.close()
        let letters = try StoreReader(stateDirectory: directory).deadLetters(limit: 10)
        #expect(letters.map(\.id) == [batch.events[2].id])
        #expect(letters.first?.reason == "unknown GTIN")
        #expect(letters.first?.event == batch.events[2].json)
    }

    @Test("seq is never reused after a lane empties, and a new store starts a new stream")
    func seqHighWaterMarkAndStream() async throws {
        let directory = try TestEnvironment.temporaryDirectory("outbox-hwm")
        var outbox = try Self.open(directory)
        let stream = outbox.stream
        _ = await outbox.accept((0..<3).map { .event(Self.scan("b\($0)"), dedupe: nil) })
        let batch = try #require(try await outbox.nextBatch(.critical, limits: .init(maxEvents: 100, maxBytes: 1 << 20), gateway: "gw-1"))
        try await outbox.acknowledge(batch, refused: [])
        await outbox.close()
        outbox = try Self.open(directory)
        #expect(outbox.stream == stream)
        #expect(await outbox.accept([.event(Self.scan("later"), dedupe: nil)]) == [.accepted(lane: .critical, seq: 4)])
        await outbox.close()
        try FileManager.default.removeItem(atPath: directory)
        outbox = try Self.open(directory)
        #expect(outbox.stream != stream)
        await outbox.close()
    }

    @Test("A device message id is accepted once, also across a restart")
    func dedupeByMessageID() async throws {
        let directory = try TestEnvironment.temporaryDirectory("outbox-dedupe")
        var outbox = try Self.open(directory)
        let key = DedupeKey(device: "dev-1", messageID: "m-1")
        let outcomes = await outbox.accept([.event(Self.scan("a"), dedupe: key), .event(Self.scan("a"), dedupe: key)])
        #expect(outcomes == [.accepted(lane: .critical, seq: 1), .duplicate])
        await outbox.close()
        outbox = try Self.open(directory)
        #expect(await outbox.accept([.event(Self.scan("a"), dedupe: key)]) == [.duplicate])
        #expect(await outbox.accept([.event(Self.scan("a"), dedupe: DedupeKey(device: "dev-2", messageID: "m-1"))]) == [.accepted(lane: .critical, seq: 2)])
        await outbox.close()
    }

    @Test("durability sets PRAGMA synchronous on the writer connection and it reads back", arguments: [
        (AgentConfig.Durability.power, 2), (.process, 1),
    ])
    func durabilityPragma(durability: AgentConfig.Durability, expected: Int) async throws {
        let directory = try TestEnvironment.temporaryDirectory("outbox-sync")
        let outbox = try Self.open(directory, durability: durability)
        let value = try await outbox.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(value == expected)
        await outbox.close()
    }

    @Test("A second agent on the same state directory is refused")
    func stateDirectoryLock() async throws {
        let directory = try TestEnvironment.temporaryDirectory("outbox-lock")
        let outbox = try Self.open(directory)
        #expect(throws: OutboxError.self) { try Self.open(directory) }
        await outbox.close()
    }

    @Test("Concurrent producers are committed in groups and every one gets its own outcome")
    func groupCommit() async throws {
        let directory = try TestEnvironment.temporaryDirectory("outbox-group")
        let outbox = try Self.open(directory, durability: .power)
        let outcomes = await withTaskGroup(of: [AcceptOutcome].self) { group in
            for producer in 0..<8 {
                group.addTask {
                    var all: [AcceptOutcome] = []
                    for index in 0..<200 { all += await outbox.accept([.event(Self.scan("p\(producer)-\(index)"), dedupe: nil)]) }
                    return all
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        let seqs: [Int64] = outcomes.compactMap { if case .accepted(_, let seq) = $0 { seq } else { nil } }
        #expect(seqs.count == 1_600)
        #expect(Set(seqs) == Set(Int64(1)...1_600))
        await outbox.close()
    }

    @Test("A batch respects maxBytes but always carries at least one event")
    func batchByteLimit() async throws {
        let directory = try TestEnvironment.temporaryDirectory("outbox-bytes")
        let outbox = try Self.open(directory)
        _ = await outbox.accept((0..<10).map { .event(Self.scan(String(repeating: "x", count: 200) + "\($0)"), dedupe: nil) })
        let small = try #require(try await outbox.nextBatch(.critical, limits: .init(maxEvents: 100, maxBytes: 1_200), gateway: "gw-1"))
        #expect(small.events.count >= 1 && small.events.count < 10)
        #expect(small.body.count <= 1_200 || small.events.count == 1)
        await outbox.close()
    }
}
