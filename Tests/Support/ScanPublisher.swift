import Foundation
import Logging
import MQTT
import WaystationCore

/// Publishes JSON scans with QoS 1, like a scanner: returns once the broker acknowledged each one.
public struct ScanPublisher: Sendable {
    public let port: Int
    public let clientID: String

    public init(port: Int, clientID: String = "test-scanner") {
        self.port = port
        self.clientID = clientID
    }

    public static func payload(_ index: Int, clientID: String) -> [UInt8] {
        Array("{\"barcode\":\"4006381333931\",\"qty\":1,\"msgId\":\"\(clientID)-\(index)\"}".utf8)
    }

    /// Publishes scans `range` to `topic`, at most `rate` per second (0: as fast as acknowledged).
    /// Returns the message ids the broker acknowledged.
    @discardableResult
    public func publish(_ range: Range<Int>, topic: String = "warehouse/dock1/scanner/1/scan", rate: Double = 0) async throws -> [String] {
        try await publishPayloads(range.map { (topic, Self.payload($0, clientID: clientID)) }, rate: rate)
        return range.map { "\(clientID)-\($0)" }
    }

    /// Publishes arbitrary payloads in order.
    public func publishPayloads(_ messages: [(topic: String, payload: [UInt8])], rate: Double = 0) async throws {
        let connection = try MQTTConnection(
            options: MQTTOptions(host: "127.0.0.1", port: port, clientID: clientID, cleanSession: false, sendMaximum: 100),
            logger: Logger(label: "test-publisher"))
        try await connection.start()
        let started = ContinuousClock.now
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                var inFlight = 0
                for (index, message) in messages.enumerated() {
                    if rate > 0 {
                        let due = started + .milliseconds(Int64(Double(index) / rate * 1000))
                        if due > .now { try await Task.sleep(until: due) }
                    }
                    if inFlight >= 100 {
                        try await group.next()
                        inFlight -= 1
                    }
                    group.addTask { try await connection.publish(topic: message.topic, payload: message.payload, qos: 1) }
                    inFlight += 1
                }
                try await group.waitForAll()
            }
        } catch {
            await connection.stop()
            throw error
        }
        await connection.stop()
    }
}
