import Foundation
public import Logging
public import Outbox
public import ServiceLifecycle
import Synchronization
public import WaystationCore

/// Delivers the outbox upstream: one `LaneSender` per lane, so critical never waits behind bulk.
public final class Uplink: Service, Sendable {
    public struct Settings: Sendable, Equatable {
        public var gatewayID: String
        public var batch: AgentConfig.Batch
        public var retry: AgentConfig.Retry
        public var http: HTTPSink.Settings

        public init(gatewayID: String, batch: AgentConfig.Batch, retry: AgentConfig.Retry, http: HTTPSink.Settings) {
            self.gatewayID = gatewayID
            self.batch = batch
            self.retry = retry
            self.http = http
        }
    }

    public let status = UplinkStatus()
    private let outbox: Outbox
    private let logger: Logger
    private let state: Mutex<(settings: Settings, sink: HTTPSink)>
    private let retired = Mutex<[HTTPSink]>([])

    public init(settings: Settings, outbox: Outbox, logger: Logger) throws {
        self.outbox = outbox
        self.logger = logger
        state = Mutex((settings, try HTTPSink(settings: settings.http, logger: logger)))
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for lane in Lane.allCases {
                let sender = LaneSender(
                    lane: lane, outbox: outbox, settings: { [self] in state.withLock { $0.settings } },
                    sink: { [self] in state.withLock { $0.sink } }, status: status,
                    logger: logger)
                group.addTask { await sender.run() }
            }
        }
        let sinks = state.withLock { [$0.sink] } + retired.withLock { $0 }
        for sink in sinks { await sink.shutdown() }
    }

    /// Swaps upstream settings; the next attempt of every lane uses them. Sealed batches stay sealed.
    public func apply(_ settings: Settings) throws {
        let current = state.withLock { $0.settings }
        guard current != settings else { return }
        let sink = current.http == settings.http ? nil : try HTTPSink(settings: settings.http, logger: logger)
        let old = state.withLock { state -> HTTPSink? in
            state.settings = settings
            guard let sink else { return nil }
            defer { state.sink = sink }
            return state.sink
        }
        // An in-flight request may still use the old client: shut it down with the service, not now.
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
        public var lastError: String?
        public var authFailed = false
        public var lastDeliveryMillis: Int64?
    }

    private let lanes = Mutex<[WaystationCore.Lane: Lane]>([:])

    public init() {}

    public var snapshot: [WaystationCore.Lane: Lane] { lanes.withLock { $0 } }

    func delivered(_ lane: WaystationCore.Lane, batch: SealedBatch, refused: Int) {
        lanes.withLock { lanes in
            lanes[lane, default: Lane()].deliveredEvents += batch.events.count - refused
            lanes[lane, default: Lane()].deliveredBatches += 1
            lanes[lane, default: Lane()].refusedEvents += refused
            lanes[lane, default: Lane()].lastError = nil
            lanes[lane, default: Lane()].authFailed = false
            lanes[lane, default: Lane()].lastDeliveryMillis = Timestamp.nowMillis()
        }
    }

    func failed(_ lane: WaystationCore.Lane, reason: String, authFailed: Bool) {
        lanes.withLock { lanes in
            lanes[lane, default: Lane()].failures += 1
            lanes[lane, default: Lane()].lastError = reason
            lanes[lane, default: Lane()].authFailed = authFailed
        }
    }
}
