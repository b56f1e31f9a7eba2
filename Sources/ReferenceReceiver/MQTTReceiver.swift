import Foundation
public import Logging
import MQTT
import WaystationCore

/// The reference receiver for the MQTT upstream (DESIGN.md 3.6): subscribes with QoS 1 and a persistent
/// session, stores each batch before the message callback returns, dedupes by event id.
public final class MQTTReceiver: Sendable {
    public let store: ReceiverStore
    private let connection: MQTTConnection
    private let logger: Logger

    /// `tls` (CA, client certificate and key) applies to an `mqtts://` broker.
    public init(
        broker: BrokerURL, topic: String, clientID: String, databasePath: String, logger: Logger,
        tls: (caFile: String?, certFile: String?, keyFile: String?)? = nil
    ) throws {
        store = try ReceiverStore(path: databasePath)
        self.logger = logger
        let files = tls ?? (nil, nil, nil)
        let options = MQTTOptions(
            host: broker.host, port: broker.port, clientID: clientID, cleanSession: false,
            tls: broker.tls ? .init(caFile: files.caFile, certFile: files.certFile, keyFile: files.keyFile) : nil)
        connection = try MQTTConnection(options: options, logger: logger)
        connection.onMessage { [store, logger] message in
            do {
                let batch = try BatchBody.parse(message.payload)
                let outcome = try store.storeBlocking(batch.events)
                let key = batch.events.first.map { "\(batch.stream)/\(batch.lane)/\($0.seq)-\(batch.events.last!.seq)" }
                try store.recordBlocking(key: key, status: 200, events: batch.events.count, outcome: outcome)
            } catch {
                logger.error("batch refused", metadata: ["topic": "\(message.topic)", "reason": "\(error)"])
                try? store.recordBlocking(key: nil, status: 400, events: 0, outcome: .init())
            }
        }
        try connection.subscribe(topic, qos: 1)
    }

    public func start() async throws { try await connection.start() }
    public func stop() async { await connection.stop() }
}
