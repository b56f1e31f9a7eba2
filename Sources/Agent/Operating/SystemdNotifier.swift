import Foundation
import Logging
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// systemd `Type=notify`: READY=1 once ingest and uplink run, and WATCHDOG=1 at half of `WatchdogSec=` —
/// fed only while the pipeline makes progress (the outbox commits, no uplink lane is overdue), so a wedged
/// agent is restarted by systemd. Without `NOTIFY_SOCKET` it does nothing.
struct SystemdNotifier: Service {
    let runtime: AgentRuntime
    let logger: Logger
    let environment: [String: String]

    func run() async throws {
        guard let socketPath = environment["NOTIFY_SOCKET"], !socketPath.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        let notify = NotifySocket(path: socketPath)
        while !(runtime.ingest.isRunning && runtime.uplink.isRunning) {
            try? await Task.sleep(for: .milliseconds(50))
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
        }
        notify.send("READY=1\nSTATUS=delivering")
        logger.info("systemd notified: ready")
        let watchdogMicros = environment["WATCHDOG_USEC"].flatMap { Int64($0) }
        guard let watchdogMicros, watchdogMicros > 0 else {
            try? await gracefulShutdown()
            notify.send("STOPPING=1")
            return
        }
        let interval = Duration.microseconds(watchdogMicros / 2)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            if Task.isShuttingDownGracefully { break }
            if let problem = await progressProblem() {
                logger.error("pipeline made no progress; not feeding the systemd watchdog", metadata: ["problem": "\(problem)"])
                notify.send("STATUS=stuck: \(problem)")
            } else {
                let backlog = (try? await runtime.outbox.stats())?.lanes.reduce(0) { $0 + $1.backlog } ?? 0
                notify.send("WATCHDOG=1\nSTATUS=delivering; \(backlog) events waiting")
            }
        }
        notify.send("STOPPING=1")
    }

    /// Why the pipeline is not making progress, or nil: the outbox writer must complete a round trip and
    /// no uplink lane may be overdue.
    private func progressProblem() async -> String? {
        let probe = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = await runtime.outbox.accept([])
                return true
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(5))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !probe { return "the outbox writer did not answer within 5 s" }
        if let (lane, activity) = runtime.uplink.overdueLanes.first { return "uplink lane \(lane.rawValue) stuck while \(activity)" }
        return nil
    }
}

/// The datagram socket named by `NOTIFY_SOCKET` (a path, or `@name` in the abstract namespace).
struct NotifySocket {
    let path: String

    func send(_ message: String) {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes.first == 0 ? 0 : 1))
        _ = message.withCString { text in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, text, strlen(text), Int32(MSG_NOSIGNAL), $0, length)
                }
            }
        }
    }
}
