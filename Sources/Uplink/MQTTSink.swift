import Foundation
public import Logging
import MQTT
public import Outbox
import WaystationCore

/// Publishes sealed batches to a central MQTT broker (DESIGN.md 3.6): QoS 1, the PUBACK is the acknowledgement.
/// The session is persistent, so a batch published before a reconnect is resent by libmosquitto; receivers
/// dedupe by event id.
public final class MQTTSink: BatchSink {
    public struct Settings: Sendable, Equatable {
        public var broker: BrokerURL
        public var topic: String
        public var clientID: String
        public var username: String?
        public var password: String?
        public var timeout: Duration
        public var caFile: String?
        public var certFile: String?
        public var keyFile: String?

        public init(
            broker: BrokerURL, topic: String, clientID: String, username: String?, password: String?, timeout: Duration,
            caFile: String?, certFile: String?, keyFile: String?
        ) {
            self.broker = broker
            self.topic = topic
            self.clientID = clientID
            self.username = username
            self.password = password
            self.timeout = timeout
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
        }
    }

    public let settings: Settings
    private let connection: MQTTConnection
    private let started = Locked(false)

    public init(settings: Settings, logger: Logger) throws {
        self.settings = settings
        let tls: MQTTOptions.TLS? =
            settings.broker.tls || settings.caFile != nil
            ? .init(caFile: settings.caFile, certFile: settings.certFile, keyFile: settings.keyFile) : nil
        connection = try MQTTConnection(
            options: MQTTOptions(
                host: settings.broker.host, port: settings.broker.port, clientID: settings.clientID, cleanSession: false,
                username: settings.username, password: settings.password, tls: tls, sendMaximum: 20),
            logger: logger)
    }

    public func deliver(_ batch: SealedBatch) async -> DeliveryOutcome {
        do {
            let first = started.withLock { started in
                defer { started = true }
                return !started
            }
            if first { try await connection.start() }
        } catch {
            return .retry(reason: "\(error)", retryAfter: nil)
        }
        guard connection.isConnected else {
            return .retry(reason: "not connected to \(settings.broker): \(connection.lastError)", retryAfter: nil)
        }
        let payload = batch.body
        let connection = self.connection
        let topic = settings.topic
        let acknowledged = await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await connection.publish(topic: topic, payload: payload, qos: 1)) != nil }
            group.addTask { [timeout = settings.timeout] in
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        return acknowledged
            ? .delivered(refused: [])
            : .retry(reason: "no PUBACK from \(settings.broker) within \(DurationText.format(settings.timeout))", retryAfter: nil)
    }

    public func shutdown() async {
        await connection.stop()
    }
}
