public import Logging
import MQTT
public import WaystationCore

/// Publishes scans as a fleet of JSON barcode scanners would: QoS 1, one message id per scan.
public struct ScannerSimulator: Sendable {
    public struct Options: Sendable {
        public var broker: BrokerURL
        /// Topic template; `{n}` is replaced by the scanner number (1…scanners).
        public var topic: String
        public var scanners: Int
        public var count: Int
        /// Scans per second across all scanners; 0 means as fast as the broker acknowledges.
        public var rate: Double
        public var clientID: String
        public var mode: String?
        /// At most this many scans awaiting the broker's acknowledgement.
        public var window: Int
        /// MQTT QoS of the publishes (scanners use 1; 0 for pass-through ceilings in the benchmark).
        public var qos: Int = 1

        public init(broker: BrokerURL, topic: String, scanners: Int, count: Int, rate: Double, clientID: String, mode: String?, window: Int = 200) {
            self.broker = broker
            self.topic = topic
            self.scanners = scanners
            self.count = count
            self.rate = rate
            self.clientID = clientID
            self.mode = mode
            self.window = window
        }
    }

    public struct Report: Sendable {
        public var published: Int
        public var seconds: Double
        public var rate: Double { seconds > 0 ? Double(published) / seconds : 0 }
    }

    public let options: Options
    let logger: Logger

    public init(options: Options, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// The JSON payload of scan number `index`.
    public static func payload(index: Int, barcode: String, clientID: String, mode: String?, millis: Int64) -> [UInt8] {
        var object = JSONObject()
        object["barcode"] = .string(barcode)
        object["qty"] = .int(1)
        object["ts"] = .string(Timestamp.iso8601(millis: millis))
        object["msgId"] = .string("\(clientID)-\(index)")
        if let mode { object["mode"] = .string(mode) }
        return Array(object.encoded.utf8)
    }

    public func run() async throws -> Report {
        let connection = try MQTTConnection(
            options: MQTTOptions(
                host: options.broker.host, port: options.broker.port, clientID: options.clientID, cleanSession: false,
                sendMaximum: options.window),
            logger: logger)
        try await connection.start()
        defer { Task { await connection.stop() } }
        let factory = BarcodeFactory()
        var generator = SystemRandomNumberGenerator()
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            var inFlight = 0
            for index in 0..<options.count {
                if options.rate > 0 {
                    let due = started + .milliseconds(Int64(Double(index) / options.rate * 1000))
                    if due > .now { try await Task.sleep(until: due) }
                }
                if inFlight >= options.window {
                    try await group.next()
                    inFlight -= 1
                }
                let scanner = index % max(1, options.scanners) + 1
                let topic = options.topic.replacingOccurrences(of: "{n}", with: String(scanner))
                let payload = Self.payload(
                    index: index, barcode: factory.barcode(index, using: &generator), clientID: options.clientID,
                    mode: options.mode, millis: Timestamp.nowMillis())
                group.addTask { [qos = options.qos] in try await connection.publish(topic: topic, payload: payload, qos: qos) }
                inFlight += 1
            }
            try await group.waitForAll()
        }
        let elapsed = (ContinuousClock.now - started).seconds
        await connection.stop()
        return Report(published: options.count, seconds: elapsed)
    }
}

import Foundation
