import Foundation
import GRDB
public import WaystationCore

extension Outbox {
    /// How large a newly sealed batch may be.
    public struct BatchLimits: Sendable {
        public var maxEvents: Int
        public var maxBytes: Int
        public init(maxEvents: Int, maxBytes: Int) {
            self.maxEvents = maxEvents
            self.maxBytes = maxBytes
        }
    }

    /// What waits in a lane that is not sealed yet: used to decide whether to linger.
    public struct LaneHead: Sendable {
        public var sealed: Bool
        public var count: Int
        public var oldestAcceptedAtMillis: Int64?
    }

    public func head(of lane: Lane, upTo limit: Int) async throws -> LaneHead {
        try await pool.read { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM batches WHERE lane = ? LIMIT 1", arguments: [lane.code]) == true {
                return LaneHead(sealed: true, count: 0, oldestAcceptedAtMillis: nil)
            }
            let row = try Row.fetchOne(
                db,
                sql: "SELECT COUNT(*) AS n, MIN(accepted_at) AS oldest FROM (SELECT accepted_at FROM events WHERE lane = ? ORDER BY seq LIMIT ?)",
                arguments: [lane.code, limit])
            return LaneHead(sealed: false, count: row?["n"] ?? 0, oldestAcceptedAtMillis: row?["oldest"])
        }
    }

    /// The lane's first sealed batch if there is one (a retry, possibly after a restart, or the next half of a
    /// split), else a newly sealed batch of the oldest events, else `nil` when the lane is empty.
    ///
    /// With `after`, the same for the part of the lane behind seq `after` only: the batch that follows one still
    /// in flight, sealed (and so fixed) while that one is on the wire.
    public func nextBatch(_ lane: Lane, after: Int64? = nil, limits: BatchLimits, gateway: String) async throws -> SealedBatch? {
        let stream = self.stream
        let floor = after ?? 0
        return try await pool.write { db -> SealedBatch? in
            while let sealed = try Row.fetchOne(
                db,
                sql: "SELECT first_seq, last_seq, gateway, attempts FROM batches WHERE lane = ? AND first_seq > ? ORDER BY first_seq LIMIT 1",
                arguments: [lane.code, floor])
            {
                let events = try Self.events(db, lane: lane, from: sealed["first_seq"], through: sealed["last_seq"], stream: stream)
                guard !events.isEmpty else {
                    // Nothing left in its range (a dead-letter purge while it waited): it has nothing to deliver.
                    try db.execute(sql: "DELETE FROM batches WHERE lane = ? AND first_seq = ?", arguments: [lane.code, sealed["first_seq"]])
                    continue
                }
                return SealedBatch(
                    stream: stream, lane: lane, firstSeq: sealed["first_seq"], lastSeq: sealed["last_seq"],
                    gateway: sealed["gateway"], events: events, attempts: sealed["attempts"])
            }
            let rows = try Row.fetchAll(
                db, sql: "SELECT seq, id, accepted_at, fields FROM events WHERE lane = ? AND seq > ? ORDER BY seq LIMIT ?",
                arguments: [lane.code, floor, limits.maxEvents])
            var events: [StoredEvent] = []
            var bytes = 64
            for row in rows {
                let event = Self.storedEvent(row, lane: lane, stream: stream)
                bytes += event.json.utf8.count + 1
                if !events.isEmpty && bytes > limits.maxBytes { break }
                events.append(event)
            }
            guard let first = events.first, let last = events.last else { return nil }
            try Self.seal(db, lane: lane, first: first.seq, last: last.seq, gateway: gateway)
            return SealedBatch(
                stream: stream, lane: lane, firstSeq: first.seq, lastSeq: last.seq, gateway: gateway, events: events,
                attempts: 0)
        }
    }

    /// Replaces a sealed batch by its two halves (by event count), each sealed anew with its own key: the
    /// same batch always splits the same way. Returns `false` for a batch of one event.
    public func split(_ batch: SealedBatch) async throws -> Bool {
        guard batch.events.count > 1 else { return false }
        let firstHalf = batch.events[..<(batch.events.count / 2)]
        let secondHalf = batch.events[(batch.events.count / 2)...]
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM batches WHERE lane = ? AND first_seq = ?", arguments: [batch.lane.code, batch.firstSeq])
            try Self.seal(db, lane: batch.lane, first: firstHalf.first!.seq, last: firstHalf.last!.seq, gateway: batch.gateway)
            try Self.seal(db, lane: batch.lane, first: secondHalf.first!.seq, last: secondHalf.last!.seq, gateway: batch.gateway)
        }
        return true
    }

    /// Counts a failed delivery attempt of a sealed batch.
    public func recordAttempt(_ batch: SealedBatch) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE batches SET attempts = attempts + 1 WHERE lane = ? AND first_seq = ?",
                arguments: [batch.lane.code, batch.firstSeq])
        }
    }

    /// The upstream took the batch: its events are delivered, except `refused` ones, which move to the dead letter.
    public func acknowledge(_ batch: SealedBatch, refused: [EventRefusal]) async throws {
        let now = Timestamp.nowMillis()
        let refusedIDs = Dictionary(refused.map { ($0.id, $0.reason) }, uniquingKeysWith: { first, _ in first })
        try await pool.write { db in
            var deadLettered = 0
            for event in batch.events {
                guard let reason = refusedIDs[event.id] else { continue }
                deadLettered += try Self.moveToDeadLetter(db, lane: batch.lane, seq: event.seq, reason: reason, now: now)
            }
            try db.execute(
                sql: "DELETE FROM events WHERE lane = ? AND seq BETWEEN ? AND ?",
                arguments: [batch.lane.code, batch.firstSeq, batch.lastSeq])
            let removed = db.changesCount
            try db.execute(sql: "DELETE FROM batches WHERE lane = ? AND first_seq = ?", arguments: [batch.lane.code, batch.firstSeq])
            try Counters.add(["delivered": removed - deadLettered, "deadLettered": deadLettered], db: db)
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('last_delivery_at', ?)", arguments: [String(now)])
        }
    }

    /// The upstream refused every event of the batch for good (an isolated poison event): dead-letter them.
    public func deadLetter(_ batch: SealedBatch, reason: String) async throws {
        let now = Timestamp.nowMillis()
        try await pool.write { db in
            var moved = 0
            for event in batch.events {
                moved += try Self.moveToDeadLetter(db, lane: batch.lane, seq: event.seq, reason: reason, now: now)
            }
            try db.execute(
                sql: "DELETE FROM events WHERE lane = ? AND seq BETWEEN ? AND ?",
                arguments: [batch.lane.code, batch.firstSeq, batch.lastSeq])
            try db.execute(sql: "DELETE FROM batches WHERE lane = ? AND first_seq = ?", arguments: [batch.lane.code, batch.firstSeq])
            try Counters.add(["deadLettered": moved], db: db)
        }
    }

    private static func seal(_ db: Database, lane: Lane, first: Int64, last: Int64, gateway: String) throws {
        try db.execute(
            sql: "INSERT INTO batches (lane, first_seq, last_seq, gateway, sealed_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [lane.code, first, last, gateway, Timestamp.nowMillis()])
    }

    /// Copies one event into the dead letter; the caller deletes it from `events`. Returns rows moved.
    private static func moveToDeadLetter(_ db: Database, lane: Lane, seq: Int64, reason: String, now: Int64) throws -> Int {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO deadletter (id, lane, seq, dead_at, reason, fields)
                SELECT id, lane, seq, ?, ?, fields FROM events WHERE lane = ? AND seq = ?
                """,
            arguments: [now, String(reason.prefix(1000)), lane.code, seq])
        return db.changesCount
    }

    static func events(_ db: Database, lane: Lane, from first: Int64, through last: Int64, stream: String) throws -> [StoredEvent] {
        try Row.fetchAll(
            db, sql: "SELECT seq, id, accepted_at, fields FROM events WHERE lane = ? AND seq BETWEEN ? AND ? ORDER BY seq",
            arguments: [lane.code, first, last]
        ).map { storedEvent($0, lane: lane, stream: stream) }
    }

    static func storedEvent(_ row: Row, lane: Lane, stream: String) -> StoredEvent {
        let seq: Int64 = row["seq"]
        let idBytes: Data = row["id"]
        let id = EventID.text(Array(idBytes))
        let fields: String = row["fields"]
        return StoredEvent(
            id: id, seq: seq, acceptedAtMillis: row["accepted_at"],
            json: CanonicalEvent.json(id: id, stream: stream, lane: lane, seq: seq, storedFields: fields))
    }
}
