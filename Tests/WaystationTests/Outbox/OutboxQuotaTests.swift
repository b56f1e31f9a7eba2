import Foundation
import GRDB
import Logging
import Testing
import WaystationCore
import WaystationTestSupport

@testable import Outbox

@Suite("Outbox: disk quota, gaps, refusal, replay, splitting, clock")
struct OutboxQuotaTests {
    static func open(_ directory: String, maxBytes: Int64 = 2 << 30, minFree: Int64 = 0, unsynced: Bool = false) throws -> Outbox {
        try Outbox.open(
            .init(
                directory: directory, durability: .process, gateway: "gw-1", site: nil, maxBytes: maxBytes,
                minFreeBytes: minFree, assumeClockUnsynced: unsynced),
            logger: Logger(label: "test"))
    }

    static func measurement(_ index: Int) -> OutboxInput {
        .event(
            EventDraft(
                type: .measurement, device: "probe-\(index % 7)",
                data: JSONObject([("metric", .string("temperature")), ("value", .double(Double(index) / 10)), ("unit", .string("Cel")),
                    ("note", .string(String(repeating: "x", count: 300)))])),
            dedupe: nil)
    }

    static func scan(_ index: Int) -> OutboxInput {
        .event(EventDraft(type: .scan, device: "sc", subject: JSONObject([("barcode", .string("b\(index)"))])), dedupe: nil)
    }

    /// Every critical event, decoded, in seq order.
    static func criticalEvents(_ outbox: Outbox) async throws -> [JSONObject] {
        var all: [JSONObject] = []
        while let batch = try await outbox.nextBatch(.critical, limits: .init(maxEvents: 1000, maxBytes: 8 << 20), gateway: "gw-1") {
            for event in batch.events {
                if case .object(let object) = try JSONParser.parse(Array(event.json.utf8)) { all.append(object) }
            }
            try await outbox.acknowledge(batch, refused: [])
        }
        return all
    }

    @Test("Over quota, the oldest bulk events are evicted and gap events name exactly the evicted seqs")
    func evictionIsAnnounced() async throws {
        let directory = try TestEnvironment.temporaryDirectory("quota-gap")
        let outbox = try Self.open(directory, maxBytes: 1 << 20)
        // A sealed bulk batch is in flight: it must never be evicted.
        _ = await outbox.accept((0..<50).map(Self.measurement))
        let inFlight = try #require(try await outbox.nextBatch(.bulk, limits: .init(maxEvents: 50, maxBytes: 8 << 20), gateway: "gw-1"))
        for chunk in stride(from: 50, to: 8_000, by: 100) {
            _ = await outbox.accept((chunk..<(chunk + 100)).map(Self.measurement) + [Self.scan(chunk)])
        }
        let stats = try await outbox.stats()
        let evicted = try #require(stats.totals["evicted"])
        #expect(evicted > 0, "a 1 MiB quota cannot hold 8,000 measurements of 400 bytes")
        #expect(stats.inputRefused == nil)
        // Every bulk seq is either still in the store or inside exactly one announced gap.
        let remaining = try await outbox.pool.read { db in
            try Int64.fetchAll(db, sql: "SELECT seq FROM events WHERE lane = ? ORDER BY seq", arguments: [Lane.bulk.code])
        }
        let gaps = try await Self.criticalEvents(outbox).filter { $0["type"] == .string("gap") }
        var announced: [Int64] = []
        for gap in gaps {
            guard case .object(let data)? = gap["data"], case .int(let from)? = data["fromSeq"], case .int(let to)? = data["toSeq"],
                case .int(let count)? = data["count"]
            else { Issue.record("malformed gap \(gap)"); continue }
            #expect(data["lane"] == .string("bulk"))
            #expect(count == to - from + 1)
            announced += Array(from...to)
        }
        #expect(Int64(announced.count) == evicted)
        #expect(Set(announced).isDisjoint(with: remaining))
        // 50 + 80 × 100 measurements: every bulk seq accounted for, none twice.
        let accounted = Set(announced).union(remaining)
        #expect(accounted.count == 8_050 && accounted.min() == 1 && accounted.max() == 8_050)
        #expect(remaining.starts(with: inFlight.events.map(\.seq)), "the sealed batch in flight was not evicted")
        #expect(try await outbox.stats().totals["accepted"] == 8_130, "80 scans and 8,050 measurements accepted; gaps are not input")
        await outbox.close()
    }

    @Test("When critical events alone fill the quota, new input is refused, counted and reported; nothing is evicted")
    func criticalFillsQuota() async throws {
        let directory = try TestEnvironment.temporaryDirectory("quota-critical")
        let outbox = try Self.open(directory, maxBytes: 1 << 20)
        var refusedAt: Int?
        for chunk in stride(from: 0, to: 20_000, by: 200) {
            let outcomes = await outbox.accept((chunk..<(chunk + 200)).map(Self.scan))
            if outcomes.contains(where: { if case .failed = $0 { true } else { false } }) {
                refusedAt = chunk
                break
            }
        }
        #expect(refusedAt != nil, "input must be refused once critical events fill the quota")
        let stats = try await outbox.stats()
        #expect(stats.inputRefused?.contains("only critical events are left") == true)
        #expect((stats.totals["refused"] ?? 0) > 0)
        #expect(stats.totals["evicted"] == nil)
        #expect(stats.lanes.first { $0.lane == "critical" }?.backlog == Int(stats.totals["accepted"] ?? -1))
        // Delivering makes room: input is accepted again and the refusal clears.
        _ = try await Self.criticalEvents(outbox)
        #expect(await outbox.accept([Self.scan(99_999)]).first.map { if case .accepted = $0 { true } else { false } } == true)
        #expect(try await outbox.stats().inputRefused == nil)
        await outbox.close()
    }

    @Test("Dead letters replay to the tail of their lane with new seqs and their original ids; purge deletes")
    func replayAndPurge() async throws {
        let directory = try TestEnvironment.temporaryDirectory("replay")
        let outbox = try Self.open(directory)
        _ = await outbox.accept((0..<6).map(Self.scan))
        let batch = try #require(try await outbox.nextBatch(.critical, limits: .init(maxEvents: 100, maxBytes: 1 << 20), gateway: "gw-1"))
        let refused = [batch.events[1], batch.events[4]]
        try await outbox.acknowledge(batch, refused: refused.map { EventRefusal(id: $0.id, reason: "no") })
        _ = await outbox.accept([Self.scan(6)])
        #expect(try await outbox.replayDeadLetters([refused[0].id]) == 1)
        let next = try #require(try await outbox.nextBatch(.critical, limits: .init(maxEvents: 100, maxBytes: 1 << 20), gateway: "gw-1"))
        #expect(next.events.map(\.seq) == [7, 8])
        #expect(next.events[1].id == refused[0].id)
        #expect(next.events[1].json.replacingOccurrences(of: "\"seq\":8", with: "\"seq\":2") == refused[0].json)
        #expect(try await outbox.purgeDeadLetters(nil) == 1)
        #expect(try await outbox.stats().deadLetters == 0)
        await outbox.close()
    }

    @Test("A refused batch splits into deterministic halves, each sealed with its own key, in seq order")
    func splitHalves() async throws {
        let directory = try TestEnvironment.temporaryDirectory("split")
        var outbox = try Self.open(directory)
        _ = await outbox.accept((0..<9).map(Self.scan))
        let whole = try #require(try await outbox.nextBatch(.critical, limits: .init(maxEvents: 100, maxBytes: 1 << 20), gateway: "gw-1"))
        #expect(try await outbox.split(whole))
        await outbox.close()
        outbox = try Self.open(directory)  // the halves are sealed in the store, not in memory
        let first = try #require(try await outbox.nextBatch(.critical, limits: .init(maxEvents: 100, maxBytes: 1 << 20), gateway: "gw-1"))
        #expect((first.firstSeq, first.lastSeq) == (1, 4))
        try await outbox.acknowledge(first, refused: [])
        let second = try #require(try await outbox.nextBatch(.critical, limits: .init(maxEvents: 100, maxBytes: 1 << 20), gateway: "gw-1"))
        #expect((second.firstSeq, second.lastSeq) == (5, 9))
        #expect(second.idempotencyKey != whole.idempotencyKey)
        await outbox.close()
    }

    @Test("Events accepted while the clock is unsynchronised or behind the newest stored time are flagged")
    func clockFlag() async throws {
        let check = ClockCheck(highWater: Timestamp.nowMillis() + 60_000, forcedUnsynced: false)
        #expect(check.isUnsynced(now: Timestamp.nowMillis()), "a clock a minute behind what was already stored jumped back")
        let fresh = ClockCheck(highWater: 0, forcedUnsynced: false)
        _ = fresh.isUnsynced(now: Timestamp.nowMillis())
        #expect(fresh.isUnsynced(now: Timestamp.nowMillis() - 5_000), "a backwards jump of 5 s is flagged")

        let directory = try TestEnvironment.temporaryDirectory("clock")
        let outbox = try Self.open(directory, unsynced: true)
        _ = await outbox.accept([Self.scan(1)])
        let batch = try #require(try await outbox.nextBatch(.critical, limits: .init(maxEvents: 10, maxBytes: 1 << 20), gateway: "gw-1"))
        #expect(batch.events[0].json.contains("\"clockUnsynced\":true"))
        await outbox.close()
    }
}
