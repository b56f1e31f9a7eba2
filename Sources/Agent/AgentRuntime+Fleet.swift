import Fleet
import Foundation
import Ingest
import Logging
import Outbox
import Uplink
import WaystationCore

extension AgentRuntime {
    /// The fleet control service, when the local file has a `control` section.
    func fleetService() -> FleetService<AgentFleetHost>? {
        let loaded = running.withLock { $0 }
        guard let control = loaded.config.control else { return nil }
        return FleetService(
            settings: .init(
                control: control, password: loaded.secrets.controlPassword, gatewayID: loaded.config.gateway.id,
                stateDirectory: loaded.config.state.directory),
            host: AgentFleetHost(runtime: self), outbox: outbox, logger: logger)
    }

    /// The config to start with: the kept remote config over the local file, or — if there is none, or it can
    /// no longer run here — the local file.
    static func startingConfig(_ bootstrap: ConfigLoader.Loaded, configPath: String?, logger: Logger) -> (ConfigLoader.Loaded, Int64) {
        do {
            let (loaded, version) = try withKeptRemoteConfig(bootstrap, configPath: configPath)
            if version > 0 { logger.info("running the remote config kept in the state directory", metadata: ["version": "\(version)"]) }
            return (loaded, version)
        } catch {
            logger.error(
                "the kept remote config cannot run; starting on the local config file", metadata: ["error": "\(error)"])
            return (bootstrap, 0)
        }
    }

    /// `bootstrap` (the local file) with the remote config kept in `STATE/control/fleet.json` laid over it by
    /// the rules of `RemoteConfigRules`, its signature checked again against the keys in force.
    static func withKeptRemoteConfig(_ bootstrap: ConfigLoader.Loaded, configPath: String?) throws -> (ConfigLoader.Loaded, Int64) {
        guard bootstrap.config.control != nil, let configPath else { return (bootstrap, 0) }
        let record = try FleetStore(stateDirectory: bootstrap.config.state.directory).load()
        let running = RemoteConfigRules.withKeptKeys(bootstrap.config, record: record)
        guard let applied = record.applied else {
            var loaded = bootstrap
            loaded.config = running
            return (loaded, 0)
        }
        let signer = try FleetVerifier(trustedKeys: running.control?.trustedKeys ?? [])
            .verify(keyID: applied.keyId, signature: applied.signature, over: applied.signedBytes).get()
        let pushed = try ConfigLoader(path: configPath).validate(text: applied.config, label: "config/desired v\(applied.version)")
        let effective = try RemoteConfigRules.effective(pushed: pushed, text: applied.config, running: running, signer: signer).get()
        return (try ConfigLoader.load(effective), applied.version)
    }
}

/// What Fleet sees of the agent: validation as `waystation config validate` does it, the shared apply path,
/// and the parts' health.
struct AgentFleetHost: FleetHost {
    let runtime: AgentRuntime

    var running: ConfigLoader.Loaded { runtime.running.withLock { $0 } }

    func config(of candidate: ConfigLoader.Loaded) -> AgentConfig { candidate.config }

    func validate(_ text: String, label: String) throws(ConfigIssues) -> AgentConfig {
        try ConfigLoader(path: runtime.configPath ?? "/etc/waystation/waystation.yaml").validate(text: text, label: label)
    }

    func prepare(_ config: AgentConfig) throws -> ConfigLoader.Loaded { try ConfigLoader.load(config) }

    func apply(_ candidate: ConfigLoader.Loaded, version: Int64) async throws {
        try await runtime.apply(candidate, version: version)
    }

    func exclusively<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await runtime.configChanges.withLock(body)
    }

    func health() async -> FleetHealth {
        let lanes = runtime.uplink.status.snapshot.map { lane, status in
            (
                lane.rawValue,
                FleetHealth.Lane(
                    deliveredBatches: status.deliveredBatches, failures: status.failures, lastError: status.lastError,
                    authFailed: status.authFailed, lastDeliveryMillis: status.lastDeliveryMillis)
            )
        }
        let modbus = runtime.modbus.counters.snapshot.mapValues { device in
            FleetHealth.ModbusDevice(goodPolls: device.polls - device.failedPolls, offline: device.offline, lastError: device.lastError)
        }
        let oldest = (try? await runtime.outbox.stats())?.lanes.compactMap(\.oldestUndeliveredAgeSeconds).max()
        return FleetHealth(
            lanes: Dictionary(lanes, uniquingKeysWith: { first, _ in first }), floorConnected: runtime.ingest.isConnected, modbus: modbus,
            oldestUndeliveredSeconds: oldest)
    }

    func flush() async -> String {
        // Store commands queued by the CLI run now rather than within the second.
        try? await runtime.outbox.runQueuedCommands()
        runtime.uplink.wake()
        let stats = try? await runtime.outbox.stats()
        let status = runtime.uplink.status.snapshot
        let lanes = (stats?.lanes ?? []).map { lane in
            let error = Lane(rawValue: lane.lane).flatMap { status[$0]?.lastError }
            return "\(lane.lane) backlog \(lane.backlog)" + (error.map { " (retrying: \($0))" } ?? "")
        }
        return lanes.joined(separator: ", ")
    }

    func reload() async throws -> String { try await runtime.reloadFromDisk() }
}
