import ArgumentParser
import Foundation
import GRDB
import Logging
import MQTT
import Synchronization
import WaystationCore

/// Measuring tools for `scripts/bench` (hidden): the ceilings the agent is compared against.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Ceilings for the benchmark (broker pass-through, SQLite inserts).",
        shouldDisplay: false, subcommands: [Subscribe.self, SQLiteInserts.self])

    /// A plain subscriber: how fast the broker alone passes messages through.
    struct Subscribe: AsyncParsableCommand {
        @Option var broker = "mqtt://127.0.0.1:1883"
        @Option var topic = "bench/#"
        @Option var count = 100_000
        @Option var qos = 1
        @Option(help: "Give up after this many seconds.") var timeout: Double = 120

        func run() async throws {
            guard let url = BrokerURL(broker) else { throw CLIFailure.invalid("--broker: not an mqtt:// URL") }
            let connection = try MQTTConnection(
                options: MQTTOptions(host: url.host, port: url.port, clientID: "waystation-bench-sub", cleanSession: true),
                logger: Logger(label: "bench"))
            let progress = Mutex<(count: Int, first: ContinuousClock.Instant?, last: ContinuousClock.Instant?)>((0, nil, nil))
            connection.onMessage { _ in
                progress.withLock { state in
                    state.count += 1
                    let now = ContinuousClock.now
                    if state.first == nil { state.first = now }
                    state.last = now
                }
            }
            try connection.subscribe(topic, qos: qos)
            try await connection.start()
            FileHandle.standardOutput.write(Data("subscribed\n".utf8))  // unbuffered: the script waits for it
            let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
            while progress.withLock({ $0.count }) < count && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            await connection.stop()
            let (received, first, last) = progress.withLock { ($0.count, $0.first, $0.last) }
            let seconds = first.flatMap { first in last.map { ($0 - first).seconds } } ?? 0
            print("{\"received\":\(received),\"seconds\":\(seconds),\"rate\":\(seconds > 0 ? Double(received) / seconds : 0)}")
        }
    }

    /// SQLite's own insert rate for rows the size of a stored scan, per commit and in groups.
    struct SQLiteInserts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "sqlite")
        @Option var directory = "/tmp"
        @Option var count = 20_000
        @Option(help: "Rows per commit.") var group = 1
        @Option(help: "FULL (power) or NORMAL (process).") var synchronous = "NORMAL"
        @Option var rowBytes = 330

        func run() async throws {
            let path = directory + "/bench-\(UUID().uuidString).sqlite"
            defer {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
            let seconds = try Self.measure(path: path, count: count, group: group, synchronous: synchronous, rowBytes: rowBytes)
            print("{\"rows\":\(count),\"group\":\(group),\"synchronous\":\"\(synchronous)\",\"seconds\":\(seconds),\"rate\":\(Double(count) / seconds)}")
        }

        /// Blocking on purpose: a one-shot measurement in a process of its own.
        static func measure(path: String, count: Int, group: Int, synchronous: String, rowBytes: Int) throws -> Double {
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
                try db.execute(sql: "CREATE TABLE events (lane INTEGER, seq INTEGER, id BLOB, accepted_at INTEGER, fields TEXT, PRIMARY KEY (lane, seq)) WITHOUT ROWID")
            }
            let fields = String(repeating: "x", count: rowBytes)
            let id = Data(count: 16)
            let started = ContinuousClock.now
            var next: Int64 = 0
            while next < Int64(count) {
                let first = next
                let last = min(Int64(count), first + Int64(group))
                try queue.inDatabase { db in
                    try db.inTransaction {
                        let statement = try db.cachedStatement(sql: "INSERT INTO events VALUES (0, ?, ?, ?, ?)")
                        for seq in (first + 1)...last { try statement.execute(arguments: [seq, id, seq, fields]) }
                        return .commit
                    }
                }
                next = last
            }
            return (ContinuousClock.now - started).seconds
        }
    }
}
