import Foundation
import GRDB
import WaystationCore

extension Outbox {
    /// Puts dead letters (all, or those ids) back at the tail of their lanes; returns how many.
    public func replayDeadLetters(_ ids: [String]?) async throws -> Int {
        let outcome = await accept([.replayDeadLetters(ids)])
        switch outcome.first {
        case .replayed(let count): return count
        case .failed(let reason): throw OutboxError(path, "replay failed: \(reason)")
        default: return 0
        }
    }

    /// Deletes dead letters (all, or those ids) for good; returns how many.
    public func purgeDeadLetters(_ ids: [String]?) async throws -> Int {
        try await pool.write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT id FROM deadletter")
            let wanted = ids.map(Set.init)
            var purged = 0
            for row in rows {
                let id: Data = row["id"]
                if let wanted, !wanted.contains(EventID.text(Array(id))) { continue }
                try db.execute(sql: "DELETE FROM deadletter WHERE id = ?", arguments: [id])
                purged += 1
            }
            try Counters.add(["purged": purged], db: db)
            return purged
        }
    }

    /// Runs what the CLI queued for the running agent (`waystation deadletter replay|purge`).
    public func runQueuedCommands() async throws {
        let pending = try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, kind, argument FROM commands WHERE done_at IS NULL ORDER BY id")
                .map { (id: $0["id"] as Int64, kind: $0["kind"] as String, argument: $0["argument"] as String) }
        }
        for command in pending {
            let kind = command.kind
            let ids = StoreCommand.decodeIDs(command.argument)
            let result: String
            do {
                switch kind {
                case StoreCommand.replay: result = "replayed \(try await replayDeadLetters(ids))"
                case StoreCommand.purge: result = "purged \(try await purgeDeadLetters(ids))"
                default: result = "error: unknown command \(kind)"
                }
            } catch {
                result = "error: \(error)"
            }
            logger.info("store command done", metadata: ["command": "\(kind)", "result": "\(result)"])
            try await pool.write { db in
                try db.execute(
                    sql: "UPDATE commands SET done_at = ?, result = ? WHERE id = ?",
                    arguments: [Timestamp.nowMillis(), result, command.id])
            }
        }
    }
}

/// Dead-letter replay and purge from the CLI: done directly when no agent runs on the state directory,
/// else queued in the store for the running agent, which picks it up within a second.
public enum StoreCommand {
    static let replay = "deadletter.replay"
    static let purge = "deadletter.purge"

    public enum Kind: Sendable { case replay, purge }

    public static func run(_ kind: Kind, ids: [String]?, stateDirectory: String, logger: Logger) async throws -> String {
        do {
            let outbox = try Outbox.open(.init(directory: stateDirectory, durability: .power, gateway: "-", site: nil), logger: logger)
            defer { outbox.closeBlocking() }
            switch kind {
            case .replay: return "replayed \(try await outbox.replayDeadLetters(ids))"
            case .purge: return "purged \(try await outbox.purgeDeadLetters(ids))"
            }
        } catch let error as OutboxError where error.message.contains("another waystation agent") {
            return try await queue(kind, ids: ids, stateDirectory: stateDirectory)
        }
    }

    private static func queue(_ kind: Kind, ids: [String]?, stateDirectory: String) async throws -> String {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let queue = try DatabaseQueue(path: stateDirectory + "/" + Outbox.fileName, configuration: configuration)
        let argument = ids.map { String(decoding: try! JSONEncoder().encode($0), as: UTF8.self) } ?? ""
        let id = try await queue.write { db -> Int64 in
            try db.execute(
                sql: "INSERT INTO commands (kind, argument, requested_at) VALUES (?, ?, ?)",
                arguments: [kind == .replay ? replay : purge, argument, Timestamp.nowMillis()])
            return db.lastInsertedRowID
        }
        for _ in 0..<100 {
            if let result = try await queue.read({ db in
                try String.fetchOne(db, sql: "SELECT result FROM commands WHERE id = ? AND done_at IS NOT NULL", arguments: [id])
            }) {
                return result + " (by the running agent)"
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw OutboxError(stateDirectory, "the running agent did not pick up the request within 10 s; it stays queued")
    }

    static func decodeIDs(_ argument: String) -> [String]? {
        argument.isEmpty ? nil : (try? JSONDecoder().decode([String].self, from: Data(argument.utf8)))
    }
}

import Logging
