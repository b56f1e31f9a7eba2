import GRDB
import WaystationCore

/// The outbox's disk budget: `state.maxBytes` for the store, and a floor of free space on its file system.
struct Quota: Sendable {
    var maxBytes: Int64
    var minFreeBytes: Int64
    var directory: String

    /// Below this share of `maxBytes` eviction stops, so it does not run on every commit.
    static let evictionTarget = 0.9

    struct Pressure: Sendable {
        /// Bytes to free inside the store.
        var bytesToFree: Int64
        var reason: String
    }

    /// Bytes the store's live pages take.
    static func usedBytes(_ db: Database) throws -> Int64 {
        let pageSize = try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA page_size")) ?? 4096
        let pages = try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA page_count")) ?? 0
        let free = try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA freelist_count")) ?? 0
        return (pages - free) * pageSize
    }

    /// What must be freed before more is accepted, or nil when within budget.
    /// `used` is `usedBytes(db)`, measured by the caller.
    func pressure(_ db: Database, used: Int64, freeDisk: Int64?) throws -> Pressure? {
        if used > maxBytes {
            return Pressure(
                bytesToFree: used - Int64(Double(maxBytes) * Self.evictionTarget),
                reason: "outbox quota of \(ByteSize.format(maxBytes)) reached (state.maxBytes)")
        }
        if let freeDisk, freeDisk < minFreeBytes {
            // The file cannot grow: make room inside it (freed pages are reused) for a while of input.
            let pageSize = try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA page_size")) ?? 4096
            let reusable = (try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA freelist_count")) ?? 0) * pageSize
            let headroom = max(256 << 10, used / 20)
            guard reusable < headroom else { return nil }
            return Pressure(
                bytesToFree: headroom - reusable,
                reason: "free disk space \(ByteSize.format(freeDisk)) is below state.minFree \(ByteSize.format(minFreeBytes)) in \(directory)")
        }
        return nil
    }
}
