public import Logging
import MQTT
public import Outbox
public import ServiceLifecycle
import Synchronization
public import WaystationCore

/// Fleet control (DESIGN.md 3.7): the one owner of the control connection. Takes signed config and
/// commands from the centre, applies them through the host, reports every outcome, and keeps a retained
/// `status` heartbeat with a last will saying `{"state":"offline"}`.
///
/// Messages are handled one at a time, in arrival order, off libmosquitto's network thread.
public final class FleetService<Host: FleetHost>: Service, Sendable {
    public struct Settings: Sendable {
        public var control: AgentConfig.Control
        /// `control.passwordFile` (or `WAYSTATION_CONTROL_PASSWORD`), read by the loader.
        public var password: String?
        public var gatewayID: String
        public var stateDirectory: String

        public init(control: AgentConfig.Control, password: String?, gatewayID: String, stateDirectory: String) {
            self.control = control
            self.password = password
            self.gatewayID = gatewayID
            self.stateDirectory = stateDirectory
        }
    }

    struct State {
        var record = FleetRecord()
        var connection: MQTTConnection?
        var totals: StatusReport.Totals?
        var probationVersion: Int64?
        /// Why the record could not be read: pushed config is refused (replay protection needs it).
        var recordProblem: String?
    }

    let settings: Settings
    let host: Host
    let outbox: Outbox
    let logger: Logger
    let store: FleetStore
    let topics: FleetTopics
    let state = Mutex(State())
    private let reconnected = Atomic<Bool>(false)

    public init(settings: Settings, host: Host, outbox: Outbox, logger: Logger) {
        self.settings = settings
        self.host = host
        self.outbox = outbox
        self.logger = logger
        self.store = FleetStore(stateDirectory: settings.stateDirectory)
        self.topics = FleetTopics(prefix: settings.control.topicPrefix)
    }

    public func run() async throws {
        do {
            let record = try store.load()
            state.withLock { $0.record = record }
        } catch {
            logger.error("fleet record unreadable; pushed config is refused until it is fixed", metadata: ["error": "\(error)"])
            state.withLock { $0.recordProblem = error.message }
        }
        let (messages, messageInput) = AsyncStream.makeStream(of: MQTTMessage.self, bufferingPolicy: .bufferingNewest(256))
        let connection: MQTTConnection
        do {
            connection = try MQTTConnection(options: connectionOptions(), logger: logger)
            connection.onMessage { messageInput.yield($0) }
            connection.onConnectionChange { [weak self] connected, _ in
                if connected { self?.reconnected.store(true, ordering: .relaxed) }
            }
            try connection.subscribe(topics.desired, qos: 1)
            try connection.subscribe(topics.commands, qos: 1)
            state.withLock { $0.connection = connection }
            try await connection.start()
        } catch {
            // A control problem (a missing CA file, say) must not stop delivery: run on without fleet control.
            logger.error("fleet control cannot start; the agent runs on without it", metadata: ["error": "\(error)"])
            try? await gracefulShutdown()
            return
        }
        logger.info("fleet control started", metadata: ["broker": "\(settings.control.url)", "topics": "\(topics.prefix)/#"])
        await withDiscardingTaskGroup { group in
            group.addTask { await self.heartbeats() }
            group.addTask {
                for await message in messages.cancelOnGracefulShutdown() { await self.handle(message) }
            }
        }
        messageInput.finish()
        // A clean disconnect does not fire the will: say it ourselves.
        await publish(topics.status, StatusReport.offline, within: .seconds(2))
        await connection.stop()
        state.withLock { $0.connection = nil }
    }

    private func connectionOptions() -> MQTTOptions {
        let control = settings.control
        let will = MQTTOptions.Will(topic: topics.status, payload: StatusReport.offline, retain: true)
        return MQTTOptions(
            host: control.url.host, port: control.url.port, clientID: control.clientId, cleanSession: false, keepAliveSeconds: 30,
            username: control.username, password: settings.password,
            tls: control.tls.map { .init(caFile: $0.caFile, certFile: $0.certFile, keyFile: $0.keyFile) }
                ?? (control.url.tls ? .init(caFile: nil, certFile: nil, keyFile: nil) : nil),
            sendMaximum: 20, will: will)
    }

    private func handle(_ message: MQTTMessage) async {
        guard !message.payload.isEmpty else { return }  // a cleared retained message
        if message.topic == topics.desired {
            await handleDesired(message.payload)
        } else if let command = topics.command(in: message.topic) {
            await handleCommand(command, payload: message.payload)
        }
    }

    // MARK: Heartbeat

    /// Publishes `status` every `control.heartbeat`, and at once after the connection comes back (the
    /// broker may have published the last will meanwhile).
    private func heartbeats() async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await publishStatus()
            let interval = host.config(of: host.running).control?.heartbeat ?? settings.control.heartbeat
            let due = ContinuousClock.now + interval
            while ContinuousClock.now < due && !Task.isCancelled && !Task.isShuttingDownGracefully {
                if reconnected.exchange(false, ordering: .relaxed) { break }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    func publishStatus() async {
        guard let connection = state.withLock({ $0.connection }), connection.isConnected else { return }
        let stats: OutboxStats
        do {
            stats = try await outbox.stats()
        } catch {
            logger.warning("status heartbeat skipped: store unreadable", metadata: ["error": "\(error)"])
            return
        }
        let health = await host.health()
        let (record, previous, probation) = state.withLock { ($0.record, $0.totals, $0.probationVersion) }
        let (report, totals) = StatusReport.make(
            gateway: settings.gatewayID, configVersion: record.appliedVersion, probationVersion: probation, stats: stats,
            health: health, previous: previous)
        state.withLock { $0.totals = totals }
        await publish(topics.status, FleetJSON.encode(report), within: .seconds(5))
    }

    // MARK: Publishing

    /// Publishes retained with QoS 1 and waits for the broker's ack up to `within`; libmosquitto keeps
    /// sending after that (and after a reconnect), so a slow broker delays nothing else.
    func publish(_ topic: String, _ payload: [UInt8], within limit: Duration) async {
        guard let connection = state.withLock({ $0.connection }) else { return }
        let acknowledged = await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await connection.publish(topic: topic, payload: payload, qos: 1, retain: true)) != nil }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !acknowledged {
            logger.debug("control publish not acknowledged yet; libmosquitto keeps it", metadata: ["topic": "\(topic)"])
        }
    }

    /// Updates the record on disk and in memory.
    func save(_ update: (inout FleetRecord) -> Void) {
        var record = state.withLock { $0.record }
        update(&record)
        do {
            try store.save(record)
        } catch {
            logger.error("fleet record not saved", metadata: ["error": "\(error)"])
        }
        state.withLock { $0.record = record }
    }

    var record: FleetRecord { state.withLock { $0.record } }
}

/// The control topics under `control.topicPrefix`.
struct FleetTopics: Sendable {
    let prefix: String
    var desired: String { prefix + "/config/desired" }
    var reported: String { prefix + "/config/reported" }
    var status: String { prefix + "/status" }
    var commands: String { prefix + "/cmd/#" }

    /// The command a `cmd/…` topic names (`flush`, `deadletter/replay`), or nil (our own results included).
    func command(in topic: String) -> String? {
        let head = prefix + "/cmd/"
        guard topic.hasPrefix(head), !topic.hasSuffix("/result") else { return nil }
        let name = String(topic.dropFirst(head.count))
        return name.isEmpty ? nil : name
    }

    func result(of command: String) -> String { prefix + "/cmd/" + command + "/result" }
}
