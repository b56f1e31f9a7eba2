import Foundation
import GRDB
import Synchronization
import WaystationCore

/// The writer thread's view of sequence numbers: tentative while a transaction runs, confirmed after commit.
final class WriterState: Sendable {
    private struct Seqs {
        var confirmed: [Lane: Int64]
        var tentative: [Lane: Int64]
        var commits = 0
    }

    private let seqs: Mutex<Seqs>
    /// Device message ids are remembered this long for dedupe.
    static let dedupeRetentionMillis: Int64 = 24 * 3600 * 1000
    /// Newest rejected inputs kept for inspection; older ones are pruned (the counter keeps the total).
    static let rejectedRowsKept = 10_000

    init(lastSeqs: [Lane: Int64]) {
        seqs = Mutex(Seqs(confirmed: lastSeqs, tentative: lastSeqs))
    }

    func confirm() { seqs.withLock { $0.confirmed = $0.tentative } }
    func rollback() { seqs.withLock { $0.tentative = $0.confirmed } }

    /// Writes one group inside the caller's transaction.
    func commit(_ inputs: [OutboxInput], db: Database, gateway: String, site: String?) throws -> ([AcceptOutcome], Set<Lane>) {
        let now = Timestamp.nowMillis()
        var generator = SystemRandomNumberGenerator()
        var outcomes: [AcceptOutcome] = []
        outcomes.reserveCapacity(inputs.count)
        var lanes: Set<Lane> = []
        var accepted = 0
        var duplicates = 0
        var rejected = 0
        var next = seqs.withLock { $0.tentative }
        let insertEvent = try db.cachedStatement(
            sql: "INSERT INTO events (lane, seq, id, accepted_at, fields) VALUES (?, ?, ?, ?, ?)")
        for input in inputs {
            switch input {
            case .event(let draft, let dedupe):
                if let dedupe {
                    let remember = try db.cachedStatement(
                        sql: "INSERT OR IGNORE INTO device_messages (device, message_id, accepted_at) VALUES (?, ?, ?)")
                    try remember.execute(arguments: [dedupe.device, dedupe.messageID, now])
                    if db.changesCount == 0 {
                        duplicates += 1
                        outcomes.append(.duplicate)
                        continue
                    }
                }
                let lane = draft.lane
                let seq = next[lane, default: 0] + 1
                next[lane] = seq
                let id = EventID.make(millis: now, using: &generator)
                let fields = draft.storedFields(gateway: gateway, site: site, acceptedAtMillis: now, clockUnsynced: false)
                try insertEvent.execute(arguments: [lane.code, seq, Data(id), now, fields])
                lanes.insert(lane)
                accepted += 1
                outcomes.append(.accepted(lane: lane, seq: seq))
            case .rejected(let input):
                let record = try db.cachedStatement(
                    sql: "INSERT INTO rejected (at, device, source, reason, payload) VALUES (?, ?, ?, ?, ?)")
                try record.execute(arguments: [
                    now, input.device, input.source, input.reason,
                    Data(input.payload.prefix(RejectedInput.storedPayloadLimit)),
                ])
                rejected += 1
                outcomes.append(.recordedAsRejected)
            }
        }
        for lane in lanes {
            try db.execute(
                sql: "INSERT INTO lanes (lane, last_seq) VALUES (?, ?) ON CONFLICT (lane) DO UPDATE SET last_seq = excluded.last_seq",
                arguments: [lane.code, next[lane]])
        }
        try Counters.add(["accepted": accepted, "duplicates": duplicates, "rejected": rejected], db: db)
        let commits = seqs.withLock { seqs in
            seqs.tentative = next
            seqs.commits += 1
            return seqs.commits
        }
        if commits % 1000 == 1 { try prune(db: db, now: now) }
        return (outcomes, lanes)
    }

    private func prune(db: Database, now: Int64) throws {
        try db.execute(sql: "DELETE FROM device_messages WHERE accepted_at < ?", arguments: [now - Self.dedupeRetentionMillis])
        try db.execute(
            sql: "DELETE FROM rejected WHERE id <= (SELECT MAX(id) FROM rejected) - ?", arguments: [Self.rejectedRowsKept])
    }
}

/// Running totals kept in the store, so `waystation status` can report them while the agent is stopped.
enum Counters {
    static func add(_ deltas: [String: Int], db: Database) throws {
        for (name, delta) in deltas where delta != 0 {
            try db.execute(
                sql: "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
                arguments: [name, delta])
        }
    }
}
