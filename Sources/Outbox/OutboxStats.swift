import Foundation
import GRDB
import WaystationCore

/// What the store holds, for `waystation status` and health: read straight from the file.
public struct OutboxStats: Sendable, Codable, Equatable {
    public struct LaneStats: Sendable, Codable, Equatable {
        public var lane: String
        public var backlog: Int
        public var backlogBytes: Int64
        public var oldestUndeliveredAt: String?
        public var oldestUndeliveredAgeSeconds: Double?
        public var lastSeq: Int64
        public var sealedBatch: String?
        public var sealedBatchAttempts: Int?
    }

    public var stream: String
    public var path: String
    public var lanes: [LaneStats]
    public var deadLetters: Int
    public var rejectedStored: Int
    public var totals: [String: Int64]
    public var lastDeliveryAt: String?
    /// Why new input is refused (critical events alone fill the quota, or the disk is full), if it is.
    public var inputRefused: String?

    static func read(_ db: Database, path: String) throws -> OutboxStats {
        let now = Timestamp.nowMillis()
        let stream = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'stream'") ?? ""
        var lanes: [LaneStats] = []
        for lane in Lane.allCases {
            let row = try Row.fetchOne(
                db, sql: "SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(fields)), 0) AS bytes, MIN(accepted_at) AS oldest FROM events WHERE lane = ?",
                arguments: [lane.code])
            let oldest: Int64? = row?["oldest"]
            let lastSeq = try Int64.fetchOne(db, sql: "SELECT last_seq FROM lanes WHERE lane = ?", arguments: [lane.code]) ?? 0
            let batch = try Row.fetchOne(db, sql: "SELECT first_seq, last_seq, attempts FROM batches WHERE lane = ?", arguments: [lane.code])
            lanes.append(
                LaneStats(
                    lane: lane.rawValue, backlog: row?["n"] ?? 0, backlogBytes: row?["bytes"] ?? 0,
                    oldestUndeliveredAt: oldest.map(Timestamp.iso8601(millis:)),
                    oldestUndeliveredAgeSeconds: oldest.map { Double(now - $0) / 1000 },
                    lastSeq: lastSeq,
                    sealedBatch: batch.map { row -> String in
                        let first: Int64 = row["first_seq"]
                        let last: Int64 = row["last_seq"]
                        return "\(stream)/\(lane.rawValue)/\(first)-\(last)"
                    },
                    sealedBatchAttempts: batch?["attempts"]))
        }
        var totals: [String: Int64] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT name, value FROM counters") {
            totals[row["name"]] = row["value"]
        }
        let lastDelivery = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'last_delivery_at'").flatMap { Int64($0) }
        return OutboxStats(
            stream: stream, path: path, lanes: lanes,
            deadLetters: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deadletter") ?? 0,
            rejectedStored: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM rejected") ?? 0,
            totals: totals, lastDeliveryAt: lastDelivery.map(Timestamp.iso8601(millis:)),
            inputRefused: try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'input_refused'"))
    }
}

extension Outbox {
    public func stats() async throws -> OutboxStats {
        let path = self.path
        return try await pool.read { db in try OutboxStats.read(db, path: path) }
    }
}
