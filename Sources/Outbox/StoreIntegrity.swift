import Foundation
import GRDB

/// Recognises a damaged `outbox.sqlite` when the store opens, and says what to do in one line.
///
/// The agent never deletes or replaces a damaged store: it may still hold events that were accepted and not
/// delivered. It refuses to start (exit 2) and the operator moves the file aside (README "A damaged outbox").
enum StoreIntegrity {
    static let header = Array("SQLite format 3\u{0}".utf8)

    /// Checks an existing store before the agent opens it for writing; an absent file is a new store.
    ///
    /// SQLite would take a zero-length file for a new, empty store and start a new stream over whatever was lost,
    /// and a file the agent wrote is never empty or headerless. Then every page is read once (`PRAGMA
    /// quick_check`) through a read-only connection, so truncation and damaged pages are found now, not when
    /// the uplink reaches them, and the damaged file is not written to.
    static func check(_ path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        let start = ((try? handle.read(upToCount: 100)) ?? nil).map { Array($0) } ?? []
        try? handle.close()
        if start.isEmpty {
            throw damaged(path, "the file is empty (0 bytes), truncated")
        }
        if start.count < 100 {
            throw damaged(path, "the file is \(start.count) bytes, truncated inside the SQLite header")
        }
        if Array(start.prefix(header.count)) != header {
            throw damaged(path, "the file is not an SQLite database")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        let problems = try DatabaseQueue(path: path, configuration: configuration).read { db in
            try String.fetchAll(db, sql: "PRAGMA quick_check(3)")
        }
        guard problems == ["ok"] else {
            let found = problems.joined(separator: "; ").split(whereSeparator: \.isNewline).joined(separator: " ")
            throw damaged(path, "SQLite's check found: \(found)")
        }
    }

    /// The one-line error for SQLite's corruption codes, or nil for any other error.
    static func classify(_ error: any Error, path: String) -> OutboxError? {
        if let error = error as? OutboxError { return error }
        guard let error = error as? DatabaseError else { return nil }
        switch error.resultCode {
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return damaged(path, "SQLite says: \(error.message ?? "the database disk image is malformed")")
        default:
            return nil
        }
    }

    static func damaged(_ path: String, _ reason: String) -> OutboxError {
        OutboxError(
            path,
            "the outbox is damaged (\(reason)); nothing was deleted. To recover: stop waystation, move \(path) and any "
                + "\(Outbox.fileName)-wal/-shm next to it aside, and start again with a new, empty store; see README \"A damaged outbox\"")
    }
}
