import Foundation
import GRDB
import WaystationCore

/// Read-only access to a state directory's store, for the CLI: works whether or not the agent runs.
public struct StoreReader: Sendable {
    public struct DeadLetter: Sendable, Codable {
        public var id: String
        public var lane: String
        public var seq: Int64
        public var deadAt: String
        public var reason: String
        public var event: String
    }

    public struct RejectedRow: Sendable, Codable {
        public var at: String
        public var device: String?
        public var source: String
        public var reason: String
        public var payload: String
    }

    private let queue: DatabaseQueue
    public let path: String

    public init(stateDirectory: String) throws {
        path = stateDirectory + "/" + Outbox.fileName
        guard FileManager.default.fileExists(atPath: path) else {
            throw OutboxError(path, "no store here (has the agent run with this state directory?)")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw OutboxError(path, "cannot open the store: \(error)")
        }
    }

    public func stats() throws -> OutboxStats {
        try queue.read { db in try OutboxStats.read(db, path: path) }
    }

    public func deadLetters(limit: Int) throws -> [DeadLetter] {
        try queue.read { db in
            let stream = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'stream'") ?? ""
            return try Row.fetchAll(
                db, sql: "SELECT id, lane, seq, dead_at, reason, fields FROM deadletter ORDER BY dead_at, lane, seq LIMIT ?",
                arguments: [limit]
            ).map { row in
                let lane = Lane(code: row["lane"]) ?? .critical
                let id = EventID.text(Array(row["id"] as Data))
                let seq: Int64 = row["seq"]
                return DeadLetter(
                    id: id, lane: lane.rawValue, seq: seq, deadAt: Timestamp.iso8601(millis: row["dead_at"]),
                    reason: row["reason"],
                    event: CanonicalEvent.json(id: id, stream: stream, lane: lane, seq: seq, storedFields: row["fields"]))
            }
        }
    }

    public func rejected(limit: Int) throws -> [RejectedRow] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT at, device, source, reason, payload FROM rejected ORDER BY id DESC LIMIT ?", arguments: [limit])
                .map { row in
                    let payload: Data = row["payload"]
                    return RejectedRow(
                        at: Timestamp.iso8601(millis: row["at"]), device: row["device"], source: row["source"],
                        reason: row["reason"], payload: String(decoding: payload.prefix(200), as: UTF8.self))
                }
        }
    }
}
