internal import CMosquitto

#if canImport(Glibc)
import Glibc
#endif

/// The network thread: libmosquitto's read, write and keep-alive steps driven by hand (instead of
/// `mosquitto_loop_start`) so that a burst of messages is handed over between reading and writing. Everything
/// libmosquitto queues (PUBACKs among it) is written only by this thread, after the burst handler returned.
extension MQTTConnection {
    /// Most messages handed over in one burst: bounds the memory and the latency of one commit.
    static let maxBurst = 1024
    private static let success = Int32(MOSQ_ERR_SUCCESS.rawValue)

    func runNetworkLoop(afterFirstAttempt: () -> Void) {
        var failures = 0
        var attempted = false
        while !isStopping {
            if mosquitto_socket(handle) < 0 {
                if failures > 0 {
                    // 1 s, 2 s, 4 s, then every 5 s, as libmosquitto's own loop with exponential backoff.
                    sleepUnlessWoken(milliseconds: min(5_000, 1_000 << min(failures - 1, 3)))
                    if isStopping { break }
                }
                defer {
                    if !attempted { afterFirstAttempt() }
                    attempted = true
                }
                if connect(first: !attempted) {
                    failures = 0
                } else {
                    failures += 1
                    continue
                }
            }
            if !serviceSocket() { failures = max(failures, 1) }
        }
        if !attempted { afterFirstAttempt() }
        if mosquitto_socket(handle) >= 0 {
            mosquitto_disconnect(handle)
            _ = mosquitto_loop_write(handle, 1)
        }
    }

    private var isStopping: Bool { state.withLock { $0.stopped } }

    /// Opens the TCP (and TLS) connection; the broker's CONNACK arrives through `didConnect`. The first call
    /// gives libmosquitto the address, later ones reuse it.
    private func connect(first: Bool) -> Bool {
        let rc =
            first
            ? mosquitto_connect(handle, options.host, Int32(options.port), Int32(options.keepAliveSeconds))
            : mosquitto_reconnect(handle)
        guard rc != Self.success else { return true }
        let reason = describeFailure(rc, errno: waystation_mosq_errno(), wasConnected: false)
        let isNew = state.withLock { state in
            defer { state.lastError = reason }
            return state.lastError != reason
        }
        if isNew {
            logger.warning("MQTT broker not reachable; retrying", metadata: ["broker": "\(options.brokerDescription)", "reason": "\(reason)"])
        }
        return false
    }

    /// One round: wait for the socket or a wake-up, read a burst, hand it over, write what is queued, keep alive.
    /// Returns false once the connection is lost.
    private func serviceSocket() -> Bool {
        let socket = mosquitto_socket(handle)
        var fds = [
            pollfd(fd: socket, events: Int16(POLLIN) | (mosquitto_want_write(handle) ? Int16(POLLOUT) : 0), revents: 0),
            pollfd(fd: wakeup.readEnd, events: Int16(POLLIN), revents: 0),
        ]
        let ready = poll(&fds, 2, 1_000)
        if ready < 0 && errno != EINTR { return false }
        if fds[1].revents != 0 { wakeup.drain() }
        if fds[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
            let rc = readBurst(socket)
            deliverBurst()
            if rc != Self.success { return false }
        }
        if mosquitto_want_write(handle) || fds[0].revents & Int16(POLLOUT) != 0 {
            guard mosquitto_loop_write(handle, 1) == Self.success else { return false }
        }
        return mosquitto_loop_misc(handle) == Self.success
    }

    /// Reads packets while the socket has more, up to `maxBurst` messages.
    private func readBurst(_ socket: Int32) -> Int32 {
        while true {
            let rc = mosquitto_loop_read(handle, 1)
            guard rc == Self.success, mosquitto_socket(handle) >= 0 else { return rc }
            guard staged.count < Self.maxBurst else { return rc }
            // TLS may hold a decrypted record that poll cannot see.
            guard waystation_mosq_ssl_pending(handle) == 0 else { continue }
            var probe = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&probe, 1, 0) > 0, probe.revents & Int16(POLLIN) != 0 else { return rc }
        }
    }

    /// Hands the staged burst to the handler; also when the connection dropped mid-burst, since those messages
    /// were received whole (the broker will send them again, and stored duplicates are dropped by message id).
    private func deliverBurst() {
        guard !staged.isEmpty else { return }
        let burst = staged
        staged.removeAll(keepingCapacity: true)
        let handler = state.withLock { $0.burstHandler }
        handler?(burst)
    }

    private func sleepUnlessWoken(milliseconds: Int) {
        var fd = pollfd(fd: wakeup.readEnd, events: Int16(POLLIN), revents: 0)
        if poll(&fd, 1, Int32(milliseconds)) > 0 { wakeup.drain() }
    }
}
