#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking pipe that interrupts the network thread's `poll`: another thread queued a packet (publish,
/// subscribe) or asked the connection to stop.
final class Wakeup: Sendable {
    let readEnd: Int32
    private let writeEnd: Int32

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init() throws(Failure) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw Failure(description: String(cString: strerror(errno))) }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readEnd = fds[0]
        writeEnd = fds[1]
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// Wakes the poller; a full pipe already holds a wake-up, so a failed write is fine.
    func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Empties the pipe after a wake-up.
    func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &buffer, buffer.count) > 0 {}
    }
}
