import WaystationCore

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `<state dir>/agent.lock`: two agents on one store would break every promise.
final class StateDirectoryLock: Sendable {
    private let descriptor: Int32
    private let released = Locked(false)

    init(directory: String) throws(OutboxError) {
        let path = directory + "/agent.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw OutboxError(path, "cannot open lock file: \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            throw OutboxError(
                path, code == EWOULDBLOCK ? "another waystation agent is running on this state directory" : String(cString: strerror(code)))
        }
        descriptor = fd
    }

    /// Lets another agent (or a reopened outbox) take the directory.
    func release() {
        let first = released.withLock { released in
            defer { released = true }
            return !released
        }
        if first { close(descriptor) }
    }

    deinit { release() }
}

/// A store problem, naming the file.
public struct OutboxError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(_ path: String, _ message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { "\(path): \(message)" }
}
