import Foundation
import GRDB
import Synchronization
import WaystationCore

/// The writer thread's view of sequence numbers: tentative while a transaction runs, confirmed after commit.
/// Also applies the disk quota: evicts the oldest bulk events (announcing them with a `gap` event) and,
/// when only critical events remain, refuses new input.
final class WriterState: Sendable {
    private struct Seqs {
        var confirmed: [Lane: Int64]
        var tentative: [Lane: Int64]
        var commits = 0
        var refusing: String?
        var lastFreeProbe: (at: Int64, bytes: Int64?) = (0, nil)
        var bytesSinceQuotaCheck: Int64 = 0
        var comfortable = false
    }

    private let seqs: Mutex<Seqs>
    let quota: Quota
    let clock: ClockCheck
    /// Device message ids are remembered this long for dedupe.
    static let dedupeRetentionMillis: Int64 = 24 * 3600 * 1000
    /// Newest rejected inputs kept for inspection; older ones are pruned (the counter keeps the total).
    static let rejectedRowsKept = 10_000

    init(lastSeqs: [Lane: Int64], quota: Quota, clock: ClockCheck) {
        seqs = Mutex(Seqs(confirmed: lastSeqs, tentative: lastSeqs))
        self.quota = quota
        self.clock = clock
    }

    func confirm() { seqs.withLock { $0.confirmed = $0.tentative } }
    func rollback() { seqs.withLock { $0.tentative = $0.confirmed } }

    /// Why new input is refused right now, or nil.
    var refusal: String? { seqs.withLock { $0.refusing } }

    /// Writes one group inside the caller's transaction.
    func commit(_ inputs: [OutboxInput], db: Database, gateway: String, site: String?) throws -> ([AcceptOutcome], Set<Lane>) {
        let now = Timestamp.nowMillis()
        let unsynced = clock.isUnsynced(now: now)
        var context = CommitContext(db: db, now: now, gateway: gateway, site: site, unsynced: unsynced, next: seqs.withLock { $0.tentative })
        var refusal: String?
        if inputs.contains(where: \.addsEvents) {
            refusal = try makeRoom(&context)
        }
        var outcomes: [AcceptOutcome] = []
        outcomes.reserveCapacity(inputs.count)
        var duplicates = 0
        var rejected = 0
        var refused = 0
        for input in inputs {
            switch input {
            case .event(let draft, let dedupe):
                if let refusal {
                    refused += 1
                    outcomes.append(.failed("input refused: \(refusal)"))
                    continue
                }
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
                outcomes.append(try context.insert(draft))
            case .rejected(let input):
                let record = try db.cachedStatement(
                    sql: "INSERT INTO rejected (at, device, source, reason, payload) VALUES (?, ?, ?, ?, ?)")
                try record.execute(arguments: [
                    now, input.device, input.source, input.reason,
                    Data(input.payload.prefix(RejectedInput.storedPayloadLimit)),
                ])
                rejected += 1
                outcomes.append(.recordedAsRejected)
            case .replayDeadLetters(let ids):
                outcomes.append(.replayed(try context.replay(ids)))
            }
        }
        for lane in context.lanes {
            try db.cachedStatement(
                sql: "INSERT INTO lanes (lane, last_seq) VALUES (?, ?) ON CONFLICT (lane) DO UPDATE SET last_seq = excluded.last_seq"
            ).execute(arguments: [lane.code, context.next[lane]])
        }
        seqs.withLock { $0.bytesSinceQuotaCheck += context.bytesWritten }
        try Counters.add(
            ["accepted": context.accepted, "duplicates": duplicates, "rejected": rejected, "refused": refused, "evicted": context.evicted,
                "gaps": context.gaps, "replayed": context.replayed],
            db: db)
        try recordRefusal(refusal, db: db)
        let commits = seqs.withLock { seqs in
            seqs.tentative = context.next
            seqs.commits += 1
            return seqs.commits
        }
        if commits % 1000 == 1 { try prune(db: db, now: now) }
        return (outcomes, context.lanes)
    }

    /// Evicts bulk events to get within quota; returns why input must be refused if that is not enough.
    private func makeRoom(_ context: inout CommitContext) throws -> String? {
        let (freeDisk, skip) = seqs.withLock { seqs -> (Int64?, Bool) in
            if context.now - seqs.lastFreeProbe.at > 200 {
                seqs.lastFreeProbe = (context.now, FileSystem.freeBytes(quota.directory))
            }
            // Well inside the budget, the next check can wait until 2% of it has been written: the store
            // cannot overshoot by more than that, and most commits skip three PRAGMA queries.
            let skip = seqs.comfortable && seqs.bytesSinceQuotaCheck < quota.maxBytes / 50
                && (seqs.lastFreeProbe.bytes ?? Int64.max) > 2 * quota.minFreeBytes
            return (seqs.lastFreeProbe.bytes, skip)
        }
        if skip { return nil }
        let used = try Quota.usedBytes(context.db)
        seqs.withLock { seqs in
            seqs.bytesSinceQuotaCheck = 0
            seqs.comfortable = used < quota.maxBytes * 8 / 10
        }
        guard let pressure = try quota.pressure(context.db, used: used, freeDisk: freeDisk) else { return nil }
        try context.evictBulk(bytes: pressure.bytesToFree, reason: pressure.reason)
        guard context.evicted == 0 else { return nil }
        return "\(pressure.reason) and only critical events are left, which are never evicted"
    }

    private func recordRefusal(_ refusal: String?, db: Database) throws {
        let changed = seqs.withLock { seqs in
            defer { seqs.refusing = refusal }
            return seqs.refusing != refusal
        }
        guard changed else { return }
        if let refusal {
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('input_refused', ?)", arguments: [refusal])
        } else {
            try db.execute(sql: "DELETE FROM meta WHERE key = 'input_refused'")
        }
    }

    private func prune(db: Database, now: Int64) throws {
        try db.execute(sql: "DELETE FROM device_messages WHERE accepted_at < ?", arguments: [now - Self.dedupeRetentionMillis])
        try db.execute(
            sql: "DELETE FROM rejected WHERE id <= (SELECT MAX(id) FROM rejected) - ?", arguments: [Self.rejectedRowsKept])
    }
}

/// One transaction's running state: the next seq per lane and what was written.
struct CommitContext {
    let db: Database
    let now: Int64
    let gateway: String
    let site: String?
    let unsynced: Bool
    var next: [Lane: Int64]
    var lanes: Set<Lane> = []
    var accepted = 0
    var evicted = 0
    var gaps = 0
    var replayed = 0
    /// Approximate bytes added to the store by this transaction, for the quota's check throttle.
    var bytesWritten: Int64 = 0
    var generator = SystemRandomNumberGenerator()

    init(db: Database, now: Int64, gateway: String, site: String?, unsynced: Bool, next: [Lane: Int64]) {
        self.db = db
        self.now = now
        self.gateway = gateway
        self.site = site
        self.unsynced = unsynced
        self.next = next
    }

    mutating func insert(_ draft: EventDraft) throws -> AcceptOutcome {
        let lane = draft.lane
        let seq = next[lane, default: 0] + 1
        next[lane] = seq
        let id = EventID.make(millis: now, using: &generator)
        let fields = draft.storedFields(gateway: gateway, site: site, acceptedAtMillis: now, clockUnsynced: unsynced)
        try db.cachedStatement(sql: "INSERT INTO events (lane, seq, id, accepted_at, fields) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [lane.code, seq, Data(id), now, fields])
        bytesWritten += Int64(fields.utf8.count + 64)
        lanes.insert(lane)
        accepted += 1
        return .accepted(lane: lane, seq: seq)
    }

    /// Deletes the oldest bulk events not in a sealed batch, about `bytes` worth, and announces them with a gap.
    mutating func evictBulk(bytes: Int64, reason: String) throws {
        let bulk = Lane.bulk.code
        let sealedThrough = try Int64.fetchOne(db, sql: "SELECT MAX(last_seq) FROM batches WHERE lane = ?", arguments: [bulk]) ?? 0
        let evictable = try Row.fetchOne(
            db, sql: "SELECT COUNT(*) AS n, COALESCE(AVG(LENGTH(fields)), 0) AS size FROM events WHERE lane = ? AND seq > ?",
            arguments: [bulk, sealedThrough])
        let available: Int = evictable?["n"] ?? 0
        guard available > 0 else { return }
        // Row size plus key, id and b-tree overhead.
        let perEvent = max(64, Int64((evictable?["size"] as Double? ?? 200) + 48))
        let count = min(available, max(100, Int((bytes + perEvent - 1) / perEvent)))
        let range = try Row.fetchOne(
            db,
            sql: "SELECT MIN(seq) AS first, MAX(seq) AS last FROM (SELECT seq FROM events WHERE lane = ? AND seq > ? ORDER BY seq LIMIT ?)",
            arguments: [bulk, sealedThrough, count])
        guard let first: Int64 = range?["first"], let last: Int64 = range?["last"] else { return }
        try db.execute(sql: "DELETE FROM events WHERE lane = ? AND seq BETWEEN ? AND ?", arguments: [bulk, first, last])
        let deleted = db.changesCount
        evicted += deleted
        var data = JSONObject()
        data["lane"] = .string(Lane.bulk.rawValue)
        data["fromSeq"] = .int(first)
        data["toSeq"] = .int(last)
        data["count"] = .int(Int64(deleted))
        data["reason"] = .string(reason)
        _ = try insert(EventDraft(type: .gap, device: "waystation", subject: JSONObject([("lane", .string(Lane.bulk.rawValue))]), data: data))
        accepted -= 1  // a gap is the agent's own event, not accepted input
        gaps += 1
    }

    /// Puts dead letters back at the tail of their lanes: new seq, original id and content.
    mutating func replay(_ ids: [String]?) throws -> Int {
        var rows = try Row.fetchAll(db, sql: "SELECT id, lane, fields FROM deadletter ORDER BY dead_at, lane, seq")
        if let ids {
            let wanted = Set(ids)
            rows = rows.filter { wanted.contains(EventID.text(Array($0["id"] as Data))) }
        }
        for row in rows {
            guard let lane = Lane(code: row["lane"]) else { continue }
            let seq = next[lane, default: 0] + 1
            next[lane] = seq
            let id: Data = row["id"]
            try db.execute(
                sql: "INSERT INTO events (lane, seq, id, accepted_at, fields) VALUES (?, ?, ?, ?, ?)",
                arguments: [lane.code, seq, id, now, row["fields"] as String])
            try db.execute(sql: "DELETE FROM deadletter WHERE id = ?", arguments: [id])
            lanes.insert(lane)
        }
        replayed += rows.count
        return rows.count
    }
}

/// Running totals kept in the store, so `waystation status` can report them while the agent is stopped.
enum Counters {
    static func add(_ deltas: [String: Int], db: Database) throws {
        for (name, delta) in deltas where delta != 0 {
            try db.cachedStatement(
                sql: "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value"
            ).execute(arguments: [name, delta])
        }
    }
}

extension OutboxInput {
    var addsEvents: Bool {
        switch self {
        case .event, .replayDeadLetters: true
        case .rejected: false
        }
    }
}
