import Foundation
public import Logging
public import Outbox
public import ServiceLifecycle
import Synchronization
public import WaystationCore

/// Delivers the outbox upstream: one `LaneSender` per lane, so critical never waits behind bulk, each
/// watched for forward progress and restarted (with a fresh sink) if it overruns what it set out to do.
public final class Uplink: Service, Sendable {
    public struct Settings: Sendable, Equatable {
        public var gatewayID: String
        public var batch: AgentConfig.Batch
        public var retry: AgentConfig.Retry
        public var timeout: Duration
        public var sink: SinkSettings

        public init(gatewayID: String, batch: AgentConfig.Batch, retry: AgentConfig.Retry, timeout: Duration, sink: SinkSettings) {
            self.gatewayID = gatewayID
            self.batch = batch
            self.retry = retry
            self.timeout = timeout
            self.sink = sink
        }
    }

    /// Where batches go.
    public enum SinkSettings: Sendable, Equatable {
        case http(HTTPSink.Settings)
        case mqtt(MQTTSink.Settings)
    }

    /// Makes a sink; tests may substitute one.
    public typealias SinkFactory = @Sendable (SinkSettings, Logger) throws -> any BatchSink

    public static let defaultSinkFactory: SinkFactory = { settings, logger in
        switch settings {
        case .http(let http): try HTTPSink(settings: http, logger: logger)
        case .mqtt(let mqtt): try MQTTSink(settings: mqtt, logger: logger)
        }
    }

    public let status = UplinkStatus()
    private let outbox: Outbox
    private let logger: Logger
    private let makeSink: SinkFactory
    private let state: Mutex<(settings: Settings, sink: any BatchSink)>
    private let retired = Mutex<[any BatchSink]>([])
    private let heartbeats = Mutex<[Lane: Heartbeat]>([:])
    /// Cuts short a lane's back-off or linger (`flush`).
    let wakeups = LaneSignal()

    /// Every lane tries again now instead of finishing its back-off (the fleet `flush` command).
    public func wake() { wakeups.bump(Set(Lane.allCases)) }
    private let started = Atomic<Bool>(false)

    /// Whether the lane senders run (for readiness).
    public var isRunning: Bool { started.load(ordering: .relaxed) }

    /// Lanes that overran what they set out to do, with what that was; the watchdog restarts them.
    public var overdueLanes: [Lane: String] {
        let now = Timestamp.nowMillis()
        return heartbeats.withLock { beats in beats.compactMapValues { $0.overdue(now: now) } }
    }
    /// How long a lane may overrun what it set out to do before it is restarted.
    let watchdogGrace: Duration

    public init(settings: Settings, outbox: Outbox, logger: Logger, sinkFactory: SinkFactory? = nil, watchdogGrace: Duration = .seconds(15)) throws {
        self.outbox = outbox
        self.logger = logger
        self.makeSink = sinkFactory ?? Self.defaultSinkFactory
        self.watchdogGrace = watchdogGrace
        state = Mutex((settings, try (sinkFactory ?? Self.defaultSinkFactory)(settings.sink, logger)))
    }

    public func run() async throws {
        started.store(true, ordering: .relaxed)
        defer { started.store(false, ordering: .relaxed) }
        await withDiscardingTaskGroup { group in
            for lane in Lane.allCases {
                group.addTask { await self.superviseLane(lane) }
            }
        }
        let sinks = state.withLock { [$0.sink] } + retired.withLock { $0 }
        for sink in sinks { await sink.shutdown() }
    }

    /// Runs a lane's sender; if it overruns its own deadline (a wedged connection, a lost wake-up), cancels
    /// it, replaces the sink and starts it again — the uplink restarts itself, not the process.
    private func superviseLane(_ lane: Lane) async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let heartbeat = Heartbeat(grace: watchdogGrace)
            heartbeats.withLock { $0[lane] = heartbeat }
            let sender = LaneSender(
                lane: lane, outbox: outbox, settings: { [self] in state.withLock { $0.settings } },
                sink: { [self] in state.withLock { $0.sink } }, status: status, heartbeat: heartbeat, wakeups: wakeups,
                logger: logger)
            // The sender runs in a task of its own that the watchdog can cancel and leave behind: a sender wedged
            // in an await that ignores cancellation must not hold the lane. It stops at its next check.
            let returned = Locked(false)
            let senderTask = Task {
                await sender.run()
                returned.withLock { $0 = true }
            }
            let stuck: String? = await withTaskCancellationHandler {
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    try? await Task.sleep(for: .milliseconds(250))
                    if let overdue = heartbeat.overdue(now: Timestamp.nowMillis()) { return overdue }
                    if returned.withLock({ $0 }) { return nil }
                }
                return nil
            } onCancel: {
                senderTask.cancel()
            }
            if stuck != nil {
                senderTask.cancel()
            } else {
                await senderTask.value  // shutdown: let an in-flight delivery finish
            }
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            // The sender returned without a shutdown, or overran its deadline: either way the lane starts again.
            let reason = stuck ?? "the sender stopped on its own"
            status.restarted(lane, reason: reason)
            logger.error("uplink lane made no progress; restarting it with a fresh connection", metadata: ["lane": "\(lane)", "stuck.while": "\(reason)"])
            replaceSink()
        }
    }

    private func replaceSink() {
        let settings = state.withLock { $0.settings }
        guard let fresh = try? makeSink(settings.sink, logger) else { return }
        let old = state.withLock { state in
            defer { state.sink = fresh }
            return state.sink
        }
        retired.withLock { $0.append(old) }
    }

    /// Swaps upstream settings; the next attempt of every lane uses them. Sealed batches stay sealed.
    public func apply(_ settings: Settings) throws {
        let current = state.withLock { $0.settings }
        guard current != settings else { return }
        let sink = current.sink == settings.sink ? nil : try makeSink(settings.sink, logger)
        let old = state.withLock { state -> (any BatchSink)? in
            state.settings = settings
            guard let sink else { return nil }
            defer { state.sink = sink }
            return state.sink
        }
        // An in-flight request may still use the old sink: shut it down with the service, not now.
        if let old { retired.withLock { $0.append(old) } }
    }
}

/// What the lanes last did, for logs, health and status.
public final class UplinkStatus: Sendable {
    public struct Lane: Sendable, Equatable {
        public var deliveredEvents = 0
        public var deliveredBatches = 0
        public var refusedEvents = 0
        public var failures = 0
        /// Failures by class: `network`, `4xx`, `5xx`, `auth`.
        public var failuresByClass: [String: Int] = [:]
        public var restarts = 0
        public var lastError: String?
        public var authFailed = false
        public var lastDeliveryMillis: Int64?
    }

    private let lanes = Mutex<[WaystationCore.Lane: Lane]>([:])

    public init() {}

    public var snapshot: [WaystationCore.Lane: Lane] { lanes.withLock { $0 } }

    func delivered(_ lane: WaystationCore.Lane, batch: SealedBatch, refused: Int) {
        update(lane) { state in
            state.deliveredEvents += batch.events.count - refused
            state.deliveredBatches += 1
            state.refusedEvents += refused
            state.lastError = nil
            state.authFailed = false
            state.lastDeliveryMillis = Timestamp.nowMillis()
        }
    }

    func failed(_ lane: WaystationCore.Lane, reason: String, authFailed: Bool) {
        update(lane) { state in
            state.failures += 1
            state.failuresByClass[Self.failureClass(reason, authFailed: authFailed), default: 0] += 1
            state.lastError = reason
            state.authFailed = authFailed
        }
    }

    func restarted(_ lane: WaystationCore.Lane, reason: String) {
        update(lane) { state in
            state.restarts += 1
            state.lastError = "restarted: no progress while \(reason)"
        }
    }

    /// The class of a failure for metrics, from the reason the sink gave ("HTTP 503 from …" or a network error).
    static func failureClass(_ reason: String, authFailed: Bool) -> String {
        if authFailed { return "auth" }
        if reason.hasPrefix("HTTP 5") { return "5xx" }
        if reason.hasPrefix("HTTP 4") { return "4xx" }
        return "network"
    }

    private func update(_ lane: WaystationCore.Lane, _ body: (inout Lane) -> Void) {
        lanes.withLock { body(&$0[lane, default: Lane()]) }
    }
}
