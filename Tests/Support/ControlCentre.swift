import Fleet
import Foundation
import Logging
import MQTT
import WaystationCore

/// The central side of fleet control in tests: a client on the control broker that pushes signed config and
/// commands for one gateway and records everything the agent publishes under its topic prefix.
public final class ControlCentre: Sendable {
    public let prefix: String
    public let signer: FleetSigner
    private let connection: MQTTConnection
    private let received = Locked<[MQTTMessage]>([])

    /// Connects to the broker on `port` with a fresh key pair (`signer`), subscribed to `prefix/#`.
    public init(port: Int, prefix: String) async throws {
        self.prefix = prefix
        self.signer = try FleetSigner(privateKeyText: FleetKeys.generate().privateKey)
        connection = try MQTTConnection(
            options: MQTTOptions(host: "127.0.0.1", port: port, clientID: "test-centre-\(UUID().uuidString.prefix(8))", cleanSession: true),
            logger: Logger(label: "test-centre"))
        connection.onMessage { [received] message in received.withLock { $0.append(message) } }
        try connection.subscribe(prefix + "/#", qos: 1)
        try await connection.start()
    }

    /// A second, untrusted key, for the wrong-key case.
    public static func strangerKey() throws -> FleetSigner { try FleetSigner(privateKeyText: FleetKeys.generate().privateKey) }

    /// The `control:` section of a bootstrap config trusting `signer`.
    /// `keys` replaces the trusted list (default: this centre's key).
    public func controlSection(broker: String, heartbeat: String = "1s", probation: String = "3s", keys: [String]? = nil) -> String {
        let keys = (keys ?? [signer.publicKey]).map { "\"\($0)\"" }.joined(separator: ", ")
        return """
            control:
              url: "\(broker)"
              topicPrefix: \(prefix)
              trustedKeys: [\(keys)]
              heartbeat: \(heartbeat)
              probation: \(probation)
            """
    }

    public func sign(_ config: String, version: Int64, by key: FleetSigner? = nil) throws -> DesiredConfig {
        try DesiredConfig.signed(config, version: version, by: key ?? signer)
    }

    /// Publishes `message` retained to `config/desired`, as a central team would with `mosquitto_pub -r`.
    public func push(_ message: DesiredConfig) async throws {
        try await publish("config/desired", FleetJSON.encode(message), retain: true)
    }

    public func command(_ name: String, nonce: Int64, args: String? = nil, by key: FleetSigner? = nil) async throws {
        let message = try SignedCommand.signed(name, nonce: nonce, args: args, by: key ?? signer)
        try await publish("cmd/" + name, FleetJSON.encode(message), retain: false)
    }

    public func publish(_ suffix: String, _ payload: [UInt8], retain: Bool) async throws {
        try await connection.publish(topic: prefix + "/" + suffix, payload: payload, qos: 1, retain: retain)
    }

    public func messages(on suffix: String) -> [MQTTMessage] {
        received.withLock { $0 }.filter { $0.topic == prefix + "/" + suffix }
    }

    public var reports: [ConfigReport] {
        messages(on: "config/reported").compactMap { try? JSONDecoder().decode(ConfigReport.self, from: Data($0.payload)) }
    }

    /// Waits for the report number `index` (0-based, in arrival order) and returns it.
    public func report(_ index: Int, timeout: Duration = .seconds(30)) async -> ConfigReport? {
        _ = await TestEnvironment.eventually(timeout: timeout) { reports.count > index }
        let all = reports
        return all.count > index ? all[index] : nil
    }

    public func results(of command: String) -> [CommandResult] {
        messages(on: "cmd/\(command)/result").compactMap { try? JSONDecoder().decode(CommandResult.self, from: Data($0.payload)) }
    }

    /// The newest `status` message as JSON.
    public var status: [String: Any]? {
        guard let last = messages(on: "status").last else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(last.payload))) as? [String: Any]
    }

    /// Raw text of every message on `suffix`, for the record of an exchange.
    public func texts(on suffix: String) -> [String] { messages(on: suffix).map { String(decoding: $0.payload, as: UTF8.self) } }

    public func stop() async { await connection.stop() }
}
