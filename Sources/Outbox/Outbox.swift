import Foundation
import GRDB
public import Logging
import Synchronization
public import WaystationCore

/// The durable store between ingest and uplink (DESIGN.md section 1): the only place an event is accepted.
///
/// Writes go through one group-commit thread; the uplink reads and acknowledges through GRDB's own
/// queues. No SQLite call runs on Swift's cooperative pool.
public final class Outbox: Sendable {
    public struct Settings: Sendable {
        public var directory: String
        public var durability: AgentConfig.Durability
        public var gateway: String
        public var site: String?
        public var maxBytes: Int64
        public var minFreeBytes: Int64
        /// Flag every event `clockUnsynced` (tests; `WAYSTATION_ASSUME_CLOCK_UNSYNCED=1`).
        public var assumeClockUnsynced: Bool

        public init(
            directory: String, durability: AgentConfig.Durability, gateway: String, site: String?,
            maxBytes: Int64 = 2 << 30, minFreeBytes: Int64 = 64 << 20, assumeClockUnsynced: Bool = false
        ) {
            self.directory = directory
            self.durability = durability
            self.gateway = gateway
            self.site = site
            self.maxBytes = maxBytes
            self.minFreeBytes = minFreeBytes
            self.assumeClockUnsynced = assumeClockUnsynced
        }
    }

    /// The file name of the store inside the state directory.
    public static let fileName = "outbox.sqlite"

    public let stream: String
    public let path: String
    public let signal = LaneSignal()
    let pool: DatabasePool
    let logger: Logger
    private let lock: StateDirectoryLock
    private let identity: Locked<(gateway: String, site: String?)>
    private let writer: Mutex<GroupCommitWriter?> = Mutex(nil)
    private let writerState: WriterState

    /// Opens (or creates) the store in `settings.directory` and takes the directory's lock.
    public static func open(_ settings: Settings, logger: Logger) throws -> Outbox {
        try FileManager.default.createDirectory(
            atPath: settings.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let lock = try StateDirectoryLock(directory: settings.directory)
        let path = settings.directory + "/" + fileName
        var configuration = Configuration()
        configuration.label = "waystation.outbox"
        configuration.maximumReaderCount = 3
        configuration.busyMode = .timeout(5)
        // Memory: SQLite keeps up to 2,000 KiB of page cache per connection. The writer needs it (with 1 MiB,
        // ingest of a 1,000,000-event backlog ran 20% slower), but a reader's cache only ever holds the pages of
        // its last read: the head of a lane (a few dozen pages) or a status scan of a whole lane, which no cache
        // size helps and which WAL invalidates at the next commit anyway. 256 KiB per reader: SQLite's memory
        // high-water mark over a 1,000,000-event backlog and its drain went from 4.5 to 2.7 MB. The file is
        // read through the OS page cache, never memory-mapped (that would count in our RSS).
        configuration.prepareDatabase { db in
            if db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -256") }
            try db.execute(sql: "PRAGMA mmap_size = 0")
        }
        let pool: DatabasePool
        do {
            try StoreIntegrity.check(path)
            pool = try DatabasePool(path: path, configuration: configuration)
            try OutboxSchema.migrator.migrate(pool)
        } catch {
            // A damaged store is refused with the recovery steps; it is never deleted or replaced.
            throw StoreIntegrity.classify(error, path: path) ?? OutboxError(path, "cannot open the store: \(error)")
        }
        // GRDB sets synchronous=NORMAL for WAL after any prepareDatabase hook: set ours now and read it back.
        let wanted = settings.durability == .power ? 2 : 1
        let actual = try pool.writeWithoutTransaction { db -> Int in
            try db.execute(sql: "PRAGMA synchronous = \(wanted)")
            return try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
        }
        guard actual == wanted else {
            throw OutboxError(path, "PRAGMA synchronous is \(actual) after setting \(wanted) for durability \(settings.durability)")
        }
        let (stream, lastSeqs, newestAcceptance) = try pool.write { db -> (String, [Lane: Int64], Int64) in
            let stream: String
            if let existing = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'stream'") {
                stream = existing
            } else {
                stream = EventID.randomUUIDString()
                try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('stream', ?)", arguments: [stream])
                try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('created_at', ?)", arguments: [Timestamp.iso8601(millis: Timestamp.nowMillis())])
            }
            var lastSeqs: [Lane: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT lane, last_seq FROM lanes") {
                if let lane = Lane(code: row["lane"]) { lastSeqs[lane] = row["last_seq"] }
            }
            let newest = try Int64.fetchOne(db, sql: "SELECT MAX(accepted_at) FROM events") ?? 0
            return (stream, lastSeqs, newest)
        }
        let writerState = WriterState(
            lastSeqs: lastSeqs,
            quota: Quota(maxBytes: settings.maxBytes, minFreeBytes: settings.minFreeBytes, directory: settings.directory),
            clock: ClockCheck(highWater: newestAcceptance, forcedUnsynced: settings.assumeClockUnsynced))
        let outbox = Outbox(
            pool: pool, path: path, stream: stream, lock: lock, settings: settings, writerState: writerState, logger: logger)
        logger.info(
            "outbox open",
            metadata: ["path": "\(path)", "stream": "\(stream)", "durability": "\(settings.durability.rawValue)"])
        return outbox
    }

    private init(
        pool: DatabasePool, path: String, stream: String, lock: StateDirectoryLock, settings: Settings,
        writerState: WriterState, logger: Logger
    ) {
        self.pool = pool
        self.path = path
        self.stream = stream
        self.lock = lock
        self.logger = logger
        self.identity = Locked((settings.gateway, settings.site))
        self.writerState = writerState
        let writer = GroupCommitWriter { [pool, writerState, identity, signal, logger, path] inputs in
            let (gateway, site) = identity.withLock { $0 }
            do {
                let (outcomes, lanes) = try pool.write { db in
                    try writerState.commit(inputs, db: db, gateway: gateway, site: site)
                }
                writerState.confirm()
                signal.bump(lanes)
                return outcomes
            } catch {
                writerState.rollback()
                let reason = (error as? DatabaseError)?.resultCode == .SQLITE_FULL
                    ? "the disk holding \(path) is full" : "commit failed: \(error)"
                logger.error("outbox commit failed; input refused until it succeeds", metadata: ["path": "\(path)", "reason": "\(reason)"])
                return inputs.map { _ in .failed("\(path): \(reason)") }
            }
        }
        self.writer.withLock { $0 = writer }
    }

    /// Why new input is refused right now (quota reached by critical events), or nil.
    public var inputRefusal: String? { writerState.refusal }

    /// Changes the gateway id and site copied onto events accepted from now on (config reload).
    public func updateIdentity(gateway: String, site: String?) {
        identity.withLock { $0 = (gateway, site) }
    }

    /// Accepts inputs and returns once they are committed. Blocks the calling thread: call it from a
    /// thread you own (a libmosquitto callback), never from an async context.
    public func acceptBlocking(_ inputs: [OutboxInput]) -> [AcceptOutcome] {
        guard let writer = writer.withLock({ $0 }) else { return inputs.map { _ in .failed("outbox is closed") } }
        return writer.commitBlocking(inputs)
    }

    /// Accepts inputs and returns once they are committed.
    public func accept(_ inputs: [OutboxInput]) async -> [AcceptOutcome] {
        await withCheckedContinuation { continuation in
            submit(inputs) { continuation.resume(returning: $0) }
        }
    }

    private func submit(_ inputs: [OutboxInput], completion: @escaping @Sendable ([AcceptOutcome]) -> Void) {
        guard let writer = writer.withLock({ $0 }) else {
            completion(inputs.map { _ in .failed("outbox is closed") })
            return
        }
        writer.submit(inputs, completion: completion)
    }

    /// Commits what is queued and stops accepting. Blocking: call from a thread you own or via `close()`.
    public func closeBlocking() {
        let writer = writer.withLock { writer in
            defer { writer = nil }
            return writer
        }
        writer?.close()
        // Leave one self-contained file behind on a clean stop: commits of whole bursts rarely fill the WAL to
        // SQLite's automatic checkpoint, so without this the events would live only in outbox.sqlite-wal.
        do {
            _ = try pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        } catch {
            logger.warning("outbox checkpoint at close failed; the WAL file keeps the data", metadata: ["path": "\(path)", "error": "\(error)"])
        }
        lock.release()
    }

    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.closeBlocking()
                continuation.resume()
            }
        }
    }
}
