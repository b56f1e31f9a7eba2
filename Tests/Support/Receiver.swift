import Foundation
import GRDB
import WaystationCore

/// The reference receiver (`waystation receive`) as a separate process, with its database read directly.
public final class Receiver: Sendable {
    public let port: Int
    public let databasePath: String
    public let directory: String
    private let process: Locked<ChildProcess?>
    private let extraArguments: [String]

    /// For the MQTT upstream: the central broker and topic the receiver subscribes to.
    public let mqtt: (broker: String, topic: String)?

    public init(directory: String, port: Int? = nil, arguments: [String] = [], mqtt: (broker: String, topic: String)? = nil) throws {
        self.port = port ?? TestEnvironment.freePort()
        self.directory = directory
        self.databasePath = directory + "/receiver.sqlite"
        self.extraArguments = arguments
        self.mqtt = mqtt
        self.process = Locked(nil)
        try start()
    }

    /// What the agent's `upstream:` section needs to reach this receiver.
    public var upstreamConfig: String {
        guard let mqtt else { return "url: \(url)" }
        return "url: \"\(mqtt.broker)\"\n  topic: \(mqtt.topic)"
    }

    public var url: String { "http://127.0.0.1:\(port)/v1/events" }

    public func start() throws {
        let arguments: [String] =
            if let mqtt { ["receive", "--mqtt", mqtt.broker, "--topic", mqtt.topic, "--db", databasePath] } else {
                ["receive", "--listen", "127.0.0.1:\(port)", "--db", databasePath]
            }
        let child = try ChildProcess(
            name: "receiver", executable: TestEnvironment.binary, arguments: arguments + extraArguments,
            logPath: directory + "/receiver.log")
        process.withLock { $0 = child }
    }

    public func ready() async -> Bool {
        await TestEnvironment.eventually(timeout: .seconds(15)) {
            if mqtt != nil { return process.withLock { $0 }?.log.contains("MQTT connected") == true }
            return (try? TestEnvironment.run("/usr/bin/curl", ["-sf", "http://127.0.0.1:\(port)/healthz"]).status) == 0
        }
    }

    public func stop() async {
        let child = process.withLock { $0 }
        await child?.stop()
    }

    /// Makes the next `count` requests answer `status` (with `Retry-After` if given).
    public func injectFault(status: Int, count: Int, retryAfter: Int? = nil, delayMs: Int = 0) throws {
        var body = "{\"status\":\(status),\"count\":\(count),\"delayMs\":\(delayMs)"
        if let retryAfter { body += ",\"retryAfter\":\(retryAfter)" }
        body += "}"
        let result = try TestEnvironment.run(
            "/usr/bin/curl", ["-sf", "-X", "POST", "-d", body, "http://127.0.0.1:\(port)/admin/fault"])
        precondition(result.status == 0, "cannot set fault: \(result.output)")
    }

    public func clearFault() throws { try injectFault(status: 200, count: 0) }

    public struct Event: Sendable {
        public var id: String
        public var stream: String
        public var lane: String
        public var seq: Int64
        public var type: String
        public var device: String?
        public var body: String
        public var messageID: String? {
            guard let range = body.range(of: "\"messageId\":\"") else { return nil }
            let rest = body[range.upperBound...]
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }
    }

    public struct Request: Sendable {
        public var key: String?
        public var status: Int
        public var events: Int
        public var gzip: Bool
    }

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        guard FileManager.default.fileExists(atPath: databasePath) else { throw CocoaError(.fileNoSuchFile) }
        return try DatabaseQueue(path: databasePath, configuration: configuration).read(body)
    }

    /// Events in arrival order (received_at, then seq).
    public func events() throws -> [Event] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, stream, lane, seq, type, device, body FROM events ORDER BY rowid").map {
                Event(id: $0["id"], stream: $0["stream"], lane: $0["lane"], seq: $0["seq"], type: $0["type"], device: $0["device"], body: $0["body"])
            }
        }
    }

    public func eventCount() -> Int {
        (try? read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0 }) ?? 0
    }

    public func requests() throws -> [Request] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT idempotency_key, status, events, gzip FROM requests ORDER BY n").map {
                Request(key: $0["idempotency_key"], status: $0["status"], events: $0["events"], gzip: $0["gzip"])
            }
        }
    }

    /// Events that arrived again after the receiver already had them (resent batches), deduped by id.
    public func duplicatesSeen() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(duplicates), 0) FROM requests") ?? 0 }
    }

    /// Sum of events the receiver flagged as arriving with a seq not above the last one of their lane.
    public func outOfOrder() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(out_of_order), 0) FROM requests") ?? 0 }
    }
}
