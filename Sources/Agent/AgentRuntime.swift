import AsyncAlgorithms
import Fleet
import Foundation
import Ingest
public import Logging
public import Outbox
public import ServiceLifecycle
import UnixSignals
import Uplink
public import WaystationCore

/// Wiring only: builds the services of one agent from a config, so the CLI and tests run the same thing.
///
/// Start order is outbox, uplink, ingest (and the reloader); shutdown runs in reverse, so ingest stops
/// taking messages first, the uplink finishes its in-flight batch, and the outbox commits and closes last.
public final class AgentRuntime: Sendable {
    public let outbox: Outbox
    public let ingest: MQTTIngest
    public let modbus: ModbusPolling
    public let uplink: Uplink
    public let logger: Logger
    let configPath: String?
    /// When this runtime was built, for status.
    public let startedAtMillis = Timestamp.nowMillis()
    private let appliedConfigVersion = Locked<Int64>(0)
    /// The version of the running config: 0 for the local file, N for a remote config (fleet).
    public var configVersion: Int64 {
        get { appliedConfigVersion.withLock { $0 } }
    }
    public func setConfigVersion(_ version: Int64) { appliedConfigVersion.withLock { $0 = version } }
    let running: Locked<ConfigLoader.Loaded>
    /// Held by every config change (SIGHUP, a pushed config through its probation, `cmd/reload`).
    let configChanges = AsyncLock()

    /// `loaded` is the local file; with a `control` section, the remote config kept in the state directory
    /// (if any) is laid over it (README "Fleet control").
    public init(loaded bootstrap: ConfigLoader.Loaded, configPath: String?, logger: Logger) throws {
        let (loaded, remoteVersion) = Self.startingConfig(bootstrap, configPath: configPath, logger: logger)
        let config = loaded.config
        self.logger = logger
        loaded.logWarnings(logger)
        self.configPath = configPath
        self.running = Locked(loaded)
        outbox = try Outbox.open(
            .init(
                directory: config.state.directory, durability: config.state.durability, gateway: config.gateway.id,
                site: config.gateway.site, maxBytes: config.state.maxBytes, minFreeBytes: config.state.minFreeBytes,
                assumeClockUnsynced: ProcessInfo.processInfo.environment["WAYSTATION_ASSUME_CLOCK_UNSYNCED"] == "1"),
            logger: logger)
        ingest = MQTTIngest(settings: Self.ingestSettings(loaded), devices: config.devices, outbox: outbox, logger: logger)
        modbus = ModbusPolling(devices: config.modbusDevices, outbox: outbox, logger: logger)
        uplink = try Uplink(settings: Self.uplinkSettings(loaded), outbox: outbox, logger: logger)
        setConfigVersion(remoteVersion)
    }

    /// The service group to run: SIGTERM and SIGINT drain and stop, SIGHUP reloads the config file.
    public func serviceGroup() -> ServiceGroup {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: OutboxService(outbox: outbox, logger: logger)),
            .init(service: uplink),
            .init(service: modbus),
            .init(service: ingest),
        ]
        if configPath != nil { services.append(.init(service: ReloadOnHangup(runtime: self))) }
        if let fleet = fleetService() { services.append(.init(service: fleet)) }
        if let listen = config.metrics.listen {
            services.append(.init(service: LocalEndpoint(runtime: self, address: listen, telemetry: Telemetry.shared, logger: logger)))
        }
        services.append(.init(service: SystemdNotifier(runtime: self, logger: logger, environment: ProcessInfo.processInfo.environment)))
        return ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    }

    public var config: AgentConfig { running.withLock { $0.config } }

    /// Re-reads the config file and applies it without touching the outbox; an invalid file changes nothing.
    public func reload() async {
        do {
            _ = try await reloadFromDisk()
        } catch {
            logger.error("config reload rejected; the running config stays", metadata: ["file": "\(configPath ?? "-")", "errors": "\(error)"])
        }
    }

    /// SIGHUP and `cmd/reload`: the local file, its secrets and profiles read again, the kept remote config
    /// (if any) laid over it, and the result applied.
    func reloadFromDisk() async throws -> String {
        guard let configPath else { throw FleetError("no config file to reload") }
        return try await configChanges.withLock {
            let bootstrap = try ConfigLoader(path: configPath).load()
            bootstrap.logWarnings(logger)
            let (loaded, version) = try Self.withKeptRemoteConfig(bootstrap, configPath: configPath)
            try await apply(loaded, version: version)
            logger.info("config reloaded", metadata: ["file": "\(configPath)", "devices": "\(loaded.config.devices.count)", "remote.version": "\(version)"])
            return "reloaded \(configPath)" + (version > 0 ? " with remote config version \(version) over it" : "")
        }
    }

    /// The one way a config changes while running (SIGHUP, a pushed config, a rollback): devices added, removed
    /// or changed and upstream settings swapped, without touching the outbox. `state` changes need a restart.
    /// If a step fails, the previous config is put back and the error thrown. `version`: the remote config
    /// version (0 for the local file).
    public func apply(_ loaded: ConfigLoader.Loaded, version: Int64) async throws {
        let old = running.withLock { $0 }
        if loaded.config.state != old.config.state {
            throw FleetError("state settings change only with a restart")
        }
        do {
            try await swap(to: loaded)
        } catch {
            try? await swap(to: old)
            throw error
        }
        running.withLock { $0 = loaded }
        setConfigVersion(version)
    }

    private func swap(to loaded: ConfigLoader.Loaded) async throws {
        outbox.updateIdentity(gateway: loaded.config.gateway.id, site: loaded.config.gateway.site)
        try uplink.apply(Self.uplinkSettings(loaded))
        try await ingest.apply(settings: Self.ingestSettings(loaded), devices: loaded.config.devices)
        await modbus.apply(devices: loaded.config.modbusDevices)
    }

    static func ingestSettings(_ loaded: ConfigLoader.Loaded) -> MQTTIngest.Settings {
        MQTTIngest.Settings(floor: loaded.config.floor, password: loaded.secrets.floorPassword, gatewayID: loaded.config.gateway.id)
    }

    static func uplinkSettings(_ loaded: ConfigLoader.Loaded) -> Uplink.Settings {
        let upstream = loaded.config.upstream
        let sink: Uplink.SinkSettings
        if upstream.isMQTT, let broker = BrokerURL(upstream.url) {
            sink = .mqtt(
                MQTTSink.Settings(
                    broker: broker, topic: upstream.topic ?? "", clientID: "waystation-\(loaded.config.gateway.id)-uplink",
                    username: upstream.username, password: loaded.secrets.upstreamPassword, timeout: upstream.timeout,
                    caFile: upstream.tls?.caFile, certFile: upstream.tls?.certFile, keyFile: upstream.tls?.keyFile))
        } else {
            sink = .http(
                HTTPSink.Settings(
                    url: upstream.url, token: loaded.secrets.upstreamToken, timeout: upstream.timeout,
                    caFile: upstream.tls?.caFile, certFile: upstream.tls?.certFile, keyFile: upstream.tls?.keyFile))
        }
        return Uplink.Settings(
            gatewayID: loaded.config.gateway.id, batch: upstream.batch, retry: upstream.retry, timeout: upstream.timeout, sink: sink)
    }
}

/// Keeps the outbox open for the life of the group and closes it last.
struct OutboxService: Service {
    let outbox: Outbox
    let logger: Logger

    func run() async throws {
        // Picks up dead-letter replay and purge requests queued by the CLI while the agent runs.
        for await _ in AsyncTimerSequence(interval: .seconds(1), clock: .continuous).cancelOnGracefulShutdown() {
            do {
                try await outbox.runQueuedCommands()
            } catch {
                logger.error("store command failed", metadata: ["error": "\(error)"])
            }
        }
        await outbox.close()
    }
}

/// SIGHUP: reload the local config file.
struct ReloadOnHangup: Service {
    let runtime: AgentRuntime
    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            runtime.logger.info("SIGHUP: reloading config")
            await runtime.reload()
        }
    }
}
