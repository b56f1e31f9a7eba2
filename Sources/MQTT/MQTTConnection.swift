internal import CMosquitto
import Dispatch
import Foundation
import Logging
import Synchronization

/// One libmosquitto client: its handle, its own network thread (see `MQTTConnection+NetworkLoop.swift`),
/// automatic reconnects, subscriptions restored on every connect, and publishes that complete when the broker
/// acknowledges them.
///
/// Messages reach the handler in bursts, on the network thread, never on Swift's cooperative pool: everything
/// the socket held is read, handed over in one call, and only after that call returns are the acknowledgements
/// (PUBACK) for those messages written. A handler that commits before it returns therefore never has a message
/// acknowledged that is not stored, and pays one commit per burst rather than per message.
public final class MQTTConnection: @unchecked Sendable {
    // @unchecked: `handle` is created in init and destroyed in deinit; libmosquitto is thread-safe for the calls
    // made here. Mutable Swift state lives in `state`, guarded by its Mutex; `staged` is touched only by the
    // network thread.

    public typealias MessageHandler = @Sendable (MQTTMessage) -> Void
    /// Receives one burst of messages; their acknowledgements are written after it returns.
    public typealias BurstHandler = @Sendable ([MQTTMessage]) -> Void
    public typealias ConnectionHandler = @Sendable (_ connected: Bool, _ reason: String) -> Void

    public let options: MQTTOptions
    let handle: OpaquePointer
    let logger: Logger
    let state = Mutex(State())
    let wakeup: Wakeup
    /// Messages read in the current burst, not yet handed over (network thread only).
    var staged: [MQTTMessage] = []
    /// Signalled when the network thread has finished.
    let finished = DispatchSemaphore(value: 0)

    struct State {
        var connected = false
        var started = false
        var stopped = false
        var subscriptions: [String: Int32] = [:]
        var pendingAcks: [Int32: CheckedContinuation<Void, any Error>] = [:]
        var earlyAcks: Set<Int32> = []
        var burstHandler: BurstHandler?
        var connectionHandler: ConnectionHandler?
        var lastError = "not connected yet"
    }

    private static let libraryReady: Bool = {
        mosquitto_lib_init()
        return true
    }()

    public init(options: MQTTOptions, logger: Logger) throws(MQTTError) {
        _ = Self.libraryReady
        self.options = options
        self.logger = logger
        guard let handle = mosquitto_new(options.clientID, options.cleanSession, nil) else {
            throw MQTTError(operation: "create client", broker: options.brokerDescription, code: -1, reason: "out of memory or invalid client id")
        }
        self.handle = handle
        do {
            self.wakeup = try Wakeup()
        } catch {
            mosquitto_destroy(handle)
            throw MQTTError(operation: "create wake-up pipe", broker: options.brokerDescription, code: -1, reason: "\(error)")
        }
        mosquitto_user_data_set(handle, Unmanaged.passUnretained(self).toOpaque())
        try configure()
    }

    deinit {
        mosquitto_destroy(handle)
    }

    private func configure() throws(MQTTError) {
        let broker = options.brokerDescription
        try MQTTError.check(mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311), "set protocol", broker: broker)
        try MQTTError.check(mosquitto_int_option(handle, MOSQ_OPT_SEND_MAXIMUM, Int32(options.sendMaximum)), "set send maximum", broker: broker)
        // Packets queued by any thread wait for the network thread to write them: PUBACKs included, which is
        // what lets a burst be stored before it is acknowledged.
        try MQTTError.check(mosquitto_threaded_set(handle, true), "set threaded mode", broker: broker)
        if options.username != nil || options.password != nil {
            try MQTTError.check(mosquitto_username_pw_set(handle, options.username, options.password), "set credentials", broker: broker)
        }
        if let tls = options.tls {
            if tls.caFile == nil {
                // No CA file: trust the system's CAs (/etc/ssl/certs), as a browser would.
                try MQTTError.check(mosquitto_int_option(handle, MOSQ_OPT_TLS_USE_OS_CERTS, 1), "use the system CAs", broker: broker)
            }
            try MQTTError.check(mosquitto_tls_set(handle, tls.caFile, nil, tls.certFile, tls.keyFile, nil), "set TLS files", broker: broker)
            try MQTTError.check(mosquitto_tls_insecure_set(handle, false), "require host name check", broker: broker)
        }
        if let will = options.will {
            let rc = will.payload.withUnsafeBytes { bytes in
                mosquitto_will_set(handle, will.topic, Int32(bytes.count), bytes.baseAddress, 1, will.retain)
            }
            try MQTTError.check(rc, "set last will", broker: broker)
        }
        mosquitto_connect_callback_set(handle) { _, context, rc in
            MQTTConnection.from(context).didConnect(rc)
        }
        mosquitto_disconnect_callback_set(handle) { _, context, rc in
            MQTTConnection.from(context).didDisconnect(rc)
        }
        mosquitto_message_callback_set(handle) { _, context, message in
            guard let message else { return }
            MQTTConnection.from(context).didReceive(message.pointee)
        }
        mosquitto_publish_callback_set(handle) { _, context, mid in
            MQTTConnection.from(context).didPublish(mid)
        }
        mosquitto_log_callback_set(handle) { mosq, context, level, message in
            guard level == MOSQ_LOG_ERR, let mosq, let message else { return }
            // Read the TLS verify result now: the session is freed once the failed connect is cleaned up.
            let verifyResult = Int(waystation_mosq_tls_verify_result(mosq))
            MQTTConnection.from(context).didLogError(String(cString: message), verifyResult: verifyResult)
        }
    }

    private static func from(_ context: UnsafeMutableRawPointer?) -> MQTTConnection {
        Unmanaged<MQTTConnection>.fromOpaque(context!).takeUnretainedValue()
    }

    /// Sets the handler for incoming messages, called once per message. Set it before `start()`.
    public func onMessage(_ handler: @escaping MessageHandler) {
        onMessages { burst in
            for message in burst { handler(message) }
        }
    }

    /// Sets the handler for incoming messages, called once per burst read from the socket (at most
    /// `maxBurst` messages); the burst's acknowledgements are written when it returns. Set it before `start()`.
    public func onMessages(_ handler: @escaping BurstHandler) {
        state.withLock { $0.burstHandler = handler }
    }

    /// Sets the handler told about every connect and disconnect.
    public func onConnectionChange(_ handler: @escaping ConnectionHandler) {
        state.withLock { $0.connectionHandler = handler }
    }

    public var isConnected: Bool { state.withLock { $0.connected } }

    /// Why the connection is down, or the last problem seen.
    public var lastError: String { state.withLock { $0.lastError } }

    /// Starts the network thread, which connects, and reconnects whenever the connection is lost. Returns after
    /// the first connection attempt (at most 5 s).
    public func start() async throws {
        let alreadyStarted = state.withLock { state in
            defer { state.started = true }
            return state.started
        }
        guard !alreadyStarted else { return }
        let firstAttempt = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            runNetworkLoop(afterFirstAttempt: { firstAttempt.signal() })
            finished.signal()
        }
        thread.name = "mqtt \(options.clientID)"
        thread.start()
        // Publishing needs a socket: wait for the first attempt, but not for a broker that does not answer.
        _ = await Blocking.run { firstAttempt.wait(timeout: .now() + .seconds(5)) }
    }

    /// Subscribes now if connected, and again after every reconnect.
    public func subscribe(_ filter: String, qos: Int = 1) throws(MQTTError) {
        let connected = state.withLock { state in
            state.subscriptions[filter] = Int32(qos)
            return state.connected
        }
        if connected {
            try MQTTError.check(mosquitto_subscribe(handle, nil, filter, Int32(qos)), "subscribe to \(filter)", broker: options.brokerDescription)
            wakeup.signal()
        }
    }

    /// Removes a subscription, also from the broker's persistent session.
    public func unsubscribe(_ filter: String) throws(MQTTError) {
        let connected = state.withLock { state in
            state.subscriptions[filter] = nil
            return state.connected
        }
        if connected {
            try MQTTError.check(mosquitto_unsubscribe(handle, nil, filter), "unsubscribe from \(filter)", broker: options.brokerDescription)
            wakeup.signal()
        }
    }

    /// Publishes and returns once the broker acknowledged it (QoS 1) or it was written (QoS 0).
    /// While disconnected, libmosquitto keeps the message and sends it after reconnecting.
    public func publish(topic: String, payload: [UInt8], qos: Int = 1, retain: Bool = false) async throws {
        var assigned: Int32 = 0
        let rc = payload.withUnsafeBytes { bytes in
            mosquitto_publish(handle, &assigned, topic, Int32(bytes.count), bytes.baseAddress, Int32(qos), retain)
        }
        try MQTTError.check(rc, "publish to \(topic)", broker: options.brokerDescription)
        wakeup.signal()
        let mid = assigned
        // Cancelling stops the wait, not the message: libmosquitto still delivers it (receivers dedupe).
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let done = state.withLock { state -> Bool in
                    if state.earlyAcks.remove(mid) != nil || state.stopped { return true }
                    if Task.isCancelled { return true }
                    state.pendingAcks[mid] = continuation
                    return false
                }
                if done { continuation.resume() }
            }
        } onCancel: {
            let continuation = state.withLock { $0.pendingAcks.removeValue(forKey: mid) }
            continuation?.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }

    /// Disconnects and stops the network thread. Messages not yet acknowledged are abandoned.
    public func stop() async {
        let (wasStarted, pending) = state.withLock { state in
            let pending = state.pendingAcks
            state.pendingAcks = [:]
            state.stopped = true
            defer { state.started = false }
            return (state.started, pending)
        }
        for continuation in pending.values {
            continuation.resume(throwing: MQTTError(operation: "publish", broker: options.brokerDescription, code: -1, reason: "connection stopped"))
        }
        guard wasStarted else { return }
        wakeup.signal()
        // The network thread disconnects and finishes on its own; wait for it off the cooperative pool.
        await Blocking.run { [finished] in finished.wait() }
    }

    // MARK: Callbacks (network thread)

    func didConnect(_ rc: Int32) {
        guard rc == 0 else {
            let reason = String(cString: mosquitto_connack_string(rc))
            state.withLock { $0.lastError = reason }
            logger.warning("MQTT connection refused", metadata: ["broker": "\(options.brokerDescription)", "reason": "\(reason)"])
            return
        }
        let (subscriptions, handler) = state.withLock { state in
            state.connected = true
            state.lastError = ""
            return (state.subscriptions, state.connectionHandler)
        }
        for (filter, qos) in subscriptions {
            let rc = mosquitto_subscribe(handle, nil, filter, qos)
            if rc != Int32(MOSQ_ERR_SUCCESS.rawValue) {
                logger.error("MQTT subscribe failed", metadata: ["topic": "\(filter)", "reason": "\(MQTTError.describe(rc, errno: waystation_mosq_errno()))"])
            }
        }
        logger.info("MQTT connected", metadata: ["broker": "\(options.brokerDescription)", "client": "\(options.clientID)"])
        handler?(true, "connected")
    }

    func didDisconnect(_ rc: Int32) {
        let code = waystation_mosq_errno()
        let reason = rc == 0 ? "disconnected on request" : describeFailure(rc, errno: code, wasConnected: isConnected)
        let handler = state.withLock { state in
            state.connected = false
            state.lastError = reason
            return state.connectionHandler
        }
        if rc != 0 {
            logger.warning("MQTT connection lost; reconnecting", metadata: ["broker": "\(options.brokerDescription)", "reason": "\(reason)"])
        }
        handler?(false, reason)
    }

    /// Stages a message of the current burst; `deliverBurst()` hands the burst over.
    private func didReceive(_ message: mosquitto_message) {
        let topic = String(cString: message.topic)
        let payload: [UInt8] =
            message.payloadlen > 0 && message.payload != nil
            ? Array(UnsafeRawBufferPointer(start: message.payload, count: Int(message.payloadlen))) : []
        staged.append(MQTTMessage(topic: topic, payload: payload, qos: Int(message.qos), retain: message.retain))
    }

    /// A broker that closes a TLS connection before accepting it usually wants a client certificate (or refuses
    /// ours); libmosquitto only says "Protocol error" or "The connection was lost".
    func describeFailure(_ rc: Int32, errno code: Int32, wasConnected: Bool) -> String {
        let reason = MQTTError.describe(rc, errno: code)
        let tlsLayer = [MOSQ_ERR_CONN_LOST, MOSQ_ERR_TLS].contains { rc == Int32($0.rawValue) }
            || (rc == Int32(MOSQ_ERR_ERRNO.rawValue) && code == EPROTO)
        guard options.tls != nil, !wasConnected, tlsLayer else { return reason }
        // A handshake failure libmosquitto logged a moment ago says more than the return code.
        let logged = state.withLock { $0.lastError }
        return logged.hasPrefix(MQTTTLSFailure.prefix) ? logged : MQTTTLSFailure.closedBeforeAccepted(reason)
    }

    /// libmosquitto reports failures on its network thread (a TLS handshake, a certificate it cannot load) only
    /// through its log: one error line per distinct cause, with the broker, until the next successful connect.
    private func didLogError(_ message: String, verifyResult: Int) {
        let reason = MQTTTLSFailure.describe(message, verifyResult: verifyResult) ?? message
        let isNew = state.withLock { state in
            defer { state.lastError = reason }
            return state.lastError != reason
        }
        if isNew {
            logger.error("MQTT connection failed", metadata: ["broker": "\(options.brokerDescription)", "reason": "\(reason)"])
        }
    }

    private func didPublish(_ mid: Int32) {
        let continuation = state.withLock { state in
            guard let continuation = state.pendingAcks.removeValue(forKey: mid) else {
                state.earlyAcks.insert(mid)
                return nil as CheckedContinuation<Void, any Error>?
            }
            return continuation
        }
        continuation?.resume()
    }
}
