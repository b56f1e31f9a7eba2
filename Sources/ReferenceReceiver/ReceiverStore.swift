import Foundation
import GRDB
import WaystationCore

/// The receiver's database: every event it accepted (unique by id), and every request it answered.
public final class ReceiverStore: Sendable {
    private let queue: DatabaseQueue

    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS events (
                        id TEXT PRIMARY KEY, stream TEXT NOT NULL, lane TEXT NOT NULL, seq INTEGER NOT NULL,
                        type TEXT NOT NULL, device TEXT, body TEXT NOT NULL, received_at INTEGER NOT NULL);
                    CREATE TABLE IF NOT EXISTS requests (
                        n INTEGER PRIMARY KEY AUTOINCREMENT, idempotency_key TEXT, status INTEGER NOT NULL,
                        events INTEGER NOT NULL, new_events INTEGER NOT NULL, duplicates INTEGER NOT NULL,
                        out_of_order INTEGER NOT NULL, gzip INTEGER NOT NULL, at INTEGER NOT NULL);
                    CREATE TABLE IF NOT EXISTS lanes (stream TEXT NOT NULL, lane TEXT NOT NULL, last_seq INTEGER NOT NULL,
                        PRIMARY KEY (stream, lane));
                    """)
        }
    }

    public struct Outcome: Sendable {
        public var newEvents = 0
        public var duplicates = 0
        public var outOfOrder = 0
    }

    typealias Event = (id: String, stream: String, lane: String, seq: Int64, type: String, device: String?, body: String)

    /// Stores the events not seen before (dedupe by id) and checks that seq only grows per (stream, lane).
    func store(_ events: [Event]) async throws -> Outcome {
        try await queue.write { db in try Self.store(events, db: db) }
    }

    /// The same, blocking: for the MQTT receiver, which commits before its message callback returns.
    func storeBlocking(_ events: [Event]) throws -> Outcome {
        try queue.write { db in try Self.store(events, db: db) }
    }

    func recordBlocking(key: String?, status: Int, events: Int, outcome: Outcome) throws {
        try queue.write { db in try Self.record(db, key: key, status: status, events: events, outcome: outcome, gzip: false) }
    }

    private static func record(_ db: Database, key: String?, status: Int, events: Int, outcome: Outcome, gzip: Bool) throws {
        try db.execute(
            sql: "INSERT INTO requests (idempotency_key, status, events, new_events, duplicates, out_of_order, gzip, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            arguments: [key, status, events, outcome.newEvents, outcome.duplicates, outcome.outOfOrder, gzip, Timestamp.nowMillis()])
    }

    private static func store(_ events: [Event], db: Database) throws -> Outcome {
        var outcome = Outcome()
        let now = Timestamp.nowMillis()
        let insert = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO events (id, stream, lane, seq, type, device, body, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        var lastSeqs: [String: Int64] = [:]
        for event in events {
            try insert.execute(arguments: [event.id, event.stream, event.lane, event.seq, event.type, event.device, event.body, now])
            guard db.changesCount > 0 else {
                outcome.duplicates += 1
                continue
            }
            outcome.newEvents += 1
            let key = event.stream + "/" + event.lane
            let last = try lastSeqs[key]
                ?? Int64.fetchOne(
                    db.cachedStatement(sql: "SELECT last_seq FROM lanes WHERE stream = ? AND lane = ?"), arguments: [event.stream, event.lane])
                ?? 0
            if event.seq <= last { outcome.outOfOrder += 1 }
            lastSeqs[key] = max(last, event.seq)
        }
        for (key, last) in lastSeqs {
            let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO lanes (stream, lane, last_seq) VALUES (?, ?, ?)")
                .execute(arguments: [parts[0], parts[1], last])
        }
        return outcome
    }

    func record(key: String?, status: Int, events: Int, outcome: Outcome, gzip: Bool) async throws {
        try await queue.write { db in try Self.record(db, key: key, status: status, events: events, outcome: outcome, gzip: gzip) }
    }

    /// Totals for `/stats` and the periodic count line.
    public struct Totals: Sendable, Codable, Equatable {
        public var events: Int
        public var requests: Int
        public var duplicates: Int
        public var outOfOrder: Int
        public var failedRequests: Int
    }

    public func totals() async throws -> Totals {
        try await queue.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT (SELECT COUNT(*) FROM events) AS events, COUNT(*) AS requests,
                        COALESCE(SUM(duplicates), 0) AS duplicates, COALESCE(SUM(out_of_order), 0) AS out_of_order,
                        COALESCE(SUM(status >= 300), 0) AS failed FROM requests
                    """)
            return Totals(
                events: row?["events"] ?? 0, requests: row?["requests"] ?? 0, duplicates: row?["duplicates"] ?? 0,
                outOfOrder: row?["out_of_order"] ?? 0, failedRequests: row?["failed"] ?? 0)
        }
    }
}
