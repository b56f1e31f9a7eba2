import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What fleet control keeps in the state directory: `control/fleet.json`, replaced atomically (write, fsync,
/// rename), so the applied config, its version and the replay counters always change together.
public struct FleetRecord: Codable, Sendable, Equatable {
    /// The remote config in force — the `config/desired` message as signed — or nil for the local file.
    public var applied: DesiredConfig?
    public var appliedAt: String?
    /// Highest config version whose signature checked out; anything not above it is refused.
    public var highestVersion: Int64 = 0
    /// The trusted keys in force after a pushed config changed them (nil: the local file's keys).
    public var trustedKeys: [String]?
    /// Digest of the last `config/desired` payload handled, so the retained copy the broker sends again on
    /// every reconnect is not handled twice.
    public var lastDesiredDigest: String?
    /// Highest command nonce accepted, and the digest of the last command payload handled.
    public var commandNonce: Int64 = 0
    public var lastCommandDigest: String?

    public init() {}

    public var appliedVersion: Int64 { applied?.version ?? 0 }
}

public struct FleetStore: Sendable {
    public let directory: String
    public var path: String { directory + "/fleet.json" }

    /// The store of the agent whose state directory is `stateDirectory`.
    public init(stateDirectory: String) {
        directory = stateDirectory + "/control"
    }

    /// The record, or an empty one if there is none yet.
    public func load() throws(FleetError) -> FleetRecord {
        guard let data = FileManager.default.contents(atPath: path) else { return FleetRecord() }
        do {
            return try JSONDecoder().decode(FleetRecord.self, from: data)
        } catch {
            throw FleetError("\(path): unreadable fleet record (\(error)); move it away to start over from the local config")
        }
    }

    public func save(_ record: FleetRecord) throws(FleetError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw FleetError("\(directory): cannot create: \(error.localizedDescription)")
        }
        let temporary = path + ".tmp"
        let bytes = FleetJSON.encode(record)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw FleetError("\(temporary): cannot write: \(String(cString: strerror(errno)))") }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            throw FleetError("\(path): cannot save: \(String(cString: strerror(errno)))")
        }
        let directoryFD = open(directory, O_RDONLY)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }
}
