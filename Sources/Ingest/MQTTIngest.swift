import Dispatch
public import Logging
import MQTT
public import Outbox
public import ServiceLifecycle
import Synchronization
public import WaystationCore

/// Reads floor devices over MQTT and commits what they send to the outbox.
///
/// Each session is a persistent MQTT session (clean session off, stable client id) subscribed with QoS 1,
/// so the broker queues scans while the agent is down. Messages arrive in bursts (everything the socket held);
/// a burst is committed in one transaction before its acknowledgements are written, so no message is ever
/// acknowledged that is not stored. With `floor.sessions` > 1 the sessions share the device topics through
/// `$share/…` and their bursts are committed in groups.
public final class MQTTIngest: Service, Sendable {
    public struct Settings: Sendable, Equatable {
        public var floor: AgentConfig.FloorBroker
        public var password: String?
        public var gatewayID: String

        public init(floor: AgentConfig.FloorBroker, password: String?, gatewayID: String) {
            self.floor = floor
            self.password = password
            self.gatewayID = gatewayID
        }
    }

    public let router: DeviceRouter
    public let counters = IngestCounters()
    private let outbox: Outbox
    private let logger: Logger
    private let settings: Mutex<Settings>
    private let sessions = Mutex<[MQTTConnection]>([])
    private let stopping = Atomic<Bool>(false)
    /// Meta key under which the filters held in the broker's persistent session are remembered.
    static let subscriptionsKey = "floor.subscriptions"

    public init(settings: Settings, devices: [DeviceBinding], outbox: Outbox, logger: Logger) {
        self.settings = Mutex(settings)
        self.router = DeviceRouter(devices)
        self.outbox = outbox
        self.logger = logger
    }

    public func run() async throws {
        try await startSessions()
        try? await gracefulShutdown()
        stopping.store(true, ordering: .relaxed)
        await stopSessions()
    }

    /// Applies a new config: devices swap at once; topics are subscribed and unsubscribed to match; a
    /// changed broker connection reconnects. The outbox is not touched.
    public func apply(settings newSettings: Settings, devices: [DeviceBinding]) async throws {
        let old = settings.withLock { settings in
            defer { settings = newSettings }
            return settings
        }
        router.replace(devices)
        if old != newSettings {
            logger.info("floor broker settings changed; reconnecting")
            await stopSessions()
            try await startSessions()
        } else {
            try await syncSubscriptions()
        }
    }

    /// Whether the floor sessions exist (started, connected or retrying).
    public var isRunning: Bool { sessions.withLock { !$0.isEmpty } }

    /// Whether every session is connected to the floor broker.
    public var isConnected: Bool { sessions.withLock { $0.allSatisfy(\.isConnected) && !$0.isEmpty } }

    private func subscriptionFilter(_ topic: String, settings: Settings) -> String {
        settings.floor.sessions > 1 ? "$share/waystation-\(settings.gatewayID)/\(topic)" : topic
    }

    private func startSessions() async throws {
        let settings = self.settings.withLock { $0 }
        var created: [MQTTConnection] = []
        for index in 1...settings.floor.sessions {
            let options = MQTTOptions(
                host: settings.floor.url.host, port: settings.floor.url.port,
                clientID: "\(settings.floor.clientId)-\(index)", cleanSession: false,
                keepAliveSeconds: Int(settings.floor.keepAlive.seconds), username: settings.floor.username,
                password: settings.password,
                tls: settings.floor.tls.map { .init(caFile: $0.caFile, certFile: $0.certFile, keyFile: $0.keyFile) }
                    ?? (settings.floor.url.tls ? .init(caFile: nil, certFile: nil, keyFile: nil) : nil))
            let session = try MQTTConnection(options: options, logger: logger)
            session.onMessages { [weak self] burst in self?.handle(burst) }
            created.append(session)
        }
        sessions.withLock { $0 = created }
        try await syncSubscriptions()
        for session in created { try await session.start() }
    }

    private func stopSessions() async {
        let current = sessions.withLock { sessions in
            defer { sessions = [] }
            return sessions
        }
        for session in current { await session.stop() }
    }

    /// Subscribes to every device topic and drops filters the broker still holds for devices no longer configured.
    private func syncSubscriptions() async throws {
        let settings = self.settings.withLock { $0 }
        let wanted = Set(router.all.map { subscriptionFilter($0.topic, settings: settings) })
        let remembered = Set((try await outbox.metaValue(Self.subscriptionsKey) ?? "").split(separator: "\n").map(String.init))
        let current = sessions.withLock { $0 }
        for session in current {
            for filter in remembered.subtracting(wanted) { try session.unsubscribe(filter) }
            for filter in wanted { try session.subscribe(filter, qos: 1) }
        }
        try await outbox.setMetaValue(Self.subscriptionsKey, wanted.sorted().joined(separator: "\n"))
        // Stale filters must be removed from the broker's session too; unsubscribe needs a connection, so
        // sessions that are offline now drop them on their next connect by never re-subscribing; messages
        // that still arrive for them are recorded as rejected ("no device for topic").
    }

    /// Network thread of one session: map a burst of messages, commit them in one group, and only then
    /// return (libmosquitto writes their acknowledgements after that).
    private func handle(_ burst: [MQTTMessage]) {
        let routed = burst.map { message in
            let device = router.device(for: message.topic)
            return (message: message, device: device, input: Self.input(for: message, device: device))
        }
        let outcomes = commitRetrying(routed.map(\.input))
        for (item, outcome) in zip(routed, outcomes) {
            record(outcome, input: item.input, deviceID: item.device?.id ?? "-", topic: item.message.topic)
        }
    }

    private static func input(for message: MQTTMessage, device: DeviceBinding?) -> OutboxInput {
        guard let device else {
            return .rejected(
                RejectedInput(device: nil, source: message.topic, reason: "no configured device matches this topic", payload: message.payload))
        }
        switch map(message.payload, device: device) {
        case .success(let mapped):
            return .event(mapped.draft, dedupe: mapped.messageID.map { DedupeKey(device: device.id, messageID: $0) })
        case .failure(let rejection):
            return .rejected(RejectedInput(device: device.id, source: message.topic, reason: rejection.reason, payload: message.payload))
        }
    }

    private func record(_ outcome: AcceptOutcome, input: OutboxInput, deviceID: String, topic: String) {
        switch outcome {
        case .accepted:
            let draft: EventDraft? = if case .event(let draft, _) = input { draft } else { nil }
            counters.record(deviceID) {
                $0.accepted += 1
                $0.lastDraft = draft
                $0.lastSeenMillis = Timestamp.nowMillis()
            }
        case .duplicate:
            counters.record(deviceID) { $0.duplicates += 1 }
            logger.debug("duplicate device message ignored", metadata: ["device.id": "\(deviceID)"])
        case .recordedAsRejected:
            if case .rejected(let rejected) = input {
                counters.record(deviceID) {
                    $0.rejected += 1
                    $0.lastReason = rejected.reason
                }
                logger.warning("input rejected", metadata: ["device.id": "\(deviceID)", "topic": "\(topic)", "reason": "\(rejected.reason)"])
            }
        case .failed, .replayed:
            break
        }
    }

    /// A scanner's payload becomes a logistics event, a sensor's a measurement, as the device's profile says.
    static func map(_ payload: [UInt8], device: DeviceBinding) -> Result<MappedMessage, Rejection> {
        switch device.profile.payload.event {
        case .measurement: MeasurementMapping.map(payload: payload, device: device)
        case .scan: ScanMapping.map(payload: payload, device: device, today: ScanMapping.today(atMillis: Timestamp.nowMillis()))
        }
    }

    /// `scan 4006381333931` — what a floor technician wants to see on the status page.
    static func summary(of draft: EventDraft) -> String {
        if draft.type == .measurement, let metric = draft.data["metric"]?.stringValue, let value = draft.data["value"] {
            return "\(metric) \(value.encoded)\(draft.data["unit"]?.stringValue.map { " " + $0 } ?? "")"
        }
        let identifier = ["sscc", "gtin", "barcode"].lazy.compactMap { draft.subject[$0]?.stringValue }.first
        return [draft.type.rawValue, identifier].compactMap { $0 }.joined(separator: " ")
    }

    /// The burst's acknowledgements are queued and go out when we return, so giving up would lose it: retry
    /// what did not commit (the broker holds everything behind it meanwhile) until it does or the agent stops.
    private func commitRetrying(_ inputs: [OutboxInput]) -> [AcceptOutcome] {
        var outcomes = outbox.acceptBlocking(inputs)
        var delayMillis = 100
        while true {
            let failed = outcomes.indices.filter { if case .failed = outcomes[$0] { true } else { false } }
            guard let first = failed.first, case .failed(let reason) = outcomes[first] else { return outcomes }
            if stopping.load(ordering: .relaxed) {
                logger.critical(
                    "messages lost at shutdown: the outbox could not commit them", metadata: ["count": "\(failed.count)", "reason": "\(reason)"])
                return outcomes
            }
            logger.error("outbox commit failed; retrying", metadata: ["count": "\(failed.count)", "reason": "\(reason)"])
            usleep(UInt32(delayMillis * 1000))
            delayMillis = min(delayMillis * 2, 5000)
            let retried = outbox.acceptBlocking(failed.map { inputs[$0] })
            for (index, outcome) in zip(failed, retried) { outcomes[index] = outcome }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
