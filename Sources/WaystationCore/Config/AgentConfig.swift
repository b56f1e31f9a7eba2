/// The agent's configuration (DESIGN.md 3.2), after validation. Paths are absolute.
public struct AgentConfig: Sendable, Equatable {
    public var gateway: Gateway
    public var state: StateSettings
    public var floor: FloorBroker
    /// MQTT devices (bound to a topic).
    public var devices: [DeviceBinding]
    /// Modbus devices (bound to an endpoint and unit), from the same `devices:` list.
    public var modbusDevices: [ModbusDeviceBinding] = []
    public var upstream: Upstream
    public var profileDirectories: [String]
    public var log: LogSettings
    /// Remote management over MQTT (DESIGN.md 3.7); nil when the gateway is managed by its local file only.
    public var control: Control? = nil
    /// The local HTTP listener for /metrics, /healthz, /readyz and the status page; nil when off.
    public var metrics: MetricsSettings = MetricsSettings(listen: ListenAddress(host: "127.0.0.1", port: 9464))

    public struct MetricsSettings: Sendable, Equatable {
        public var listen: ListenAddress?
        public init(listen: ListenAddress?) { self.listen = listen }
    }

    public struct Gateway: Sendable, Equatable {
        public var id: String
        public var site: String?
    }

    public enum Durability: String, Sendable, CaseIterable {
        /// fsync on every commit (`synchronous=FULL`): survives power loss.
        case power
        /// `synchronous=NORMAL` in WAL mode: survives `kill -9`, not power loss.
        case process
    }

    public struct StateSettings: Sendable, Equatable {
        public var directory: String
        public var maxBytes: Int64
        /// Free space to leave on the state directory's file system; below it, the outbox behaves as if full.
        public var minFreeBytes: Int64
        public var durability: Durability
    }

    public struct TLSFiles: Sendable, Equatable {
        public var caFile: String?
        public var certFile: String?
        public var keyFile: String?
    }

    public struct FloorBroker: Sendable, Equatable {
        public var url: BrokerURL
        public var username: String?
        public var passwordFile: String?
        public var tls: TLSFiles?
        /// Subscriber sessions sharing the device topics; each one exposes at most one message to the
        /// libmosquitto ack-before-callback window, and together they let the outbox commit in groups.
        public var sessions: Int
        /// Client id prefix; sessions are `<clientId>-<n>`. Stable, so the broker keeps our queue.
        public var clientId: String
        public var keepAlive: Duration
    }

    public struct Upstream: Sendable, Equatable {
        /// `http(s)://…` for the HTTPS sink, `mqtt(s)://host:port` for the MQTT sink.
        public var url: String
        /// MQTT sink only: the topic sealed batches are published to.
        public var topic: String?
        /// MQTT sink only: credentials for the central broker.
        public var username: String?
        public var passwordFile: String?
        public var tokenFile: String?
        public var tls: TLSFiles?
        public var batch: Batch
        public var timeout: Duration
        public var retry: Retry

        public var isMQTT: Bool { url.hasPrefix("mqtt://") || url.hasPrefix("mqtts://") }
    }

    public struct Batch: Sendable, Equatable {
        public var maxEvents: Int
        public var maxBytes: Int64
        public var linger: Duration

        public init(maxEvents: Int, maxBytes: Int64, linger: Duration) {
            self.maxEvents = maxEvents
            self.maxBytes = maxBytes
            self.linger = linger
        }
    }

    public struct Retry: Sendable, Equatable {
        public var initial: Duration
        public var max: Duration

        public init(initial: Duration, max: Duration) {
            self.initial = initial
            self.max = max
        }
    }

    public enum LogLevel: String, Sendable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
    }

    public enum LogFormat: String, Sendable, CaseIterable {
        case json, text
    }

    public struct LogSettings: Sendable, Equatable {
        public var level: LogLevel
        public var format: LogFormat
    }
}

/// A device from the `devices:` list, bound to its profile.
public struct DeviceBinding: Sendable, Equatable {
    public var id: String
    public var profileName: String
    public var profile: DeviceProfile
    /// MQTT topic filter the device publishes to.
    public var topic: String
    /// Fixed values copied onto every event of the device: `location`, `mode`, …
    public var set: [String: String]
}

/// `mqtt://host:port` or `mqtts://host:port`.
public struct BrokerURL: Sendable, Equatable, CustomStringConvertible {
    public var tls: Bool
    public var host: String
    public var port: Int

    public init?(_ text: String) {
        let scheme: String
        if text.hasPrefix("mqtt://") {
            scheme = "mqtt://"
            tls = false
        } else if text.hasPrefix("mqtts://") {
            scheme = "mqtts://"
            tls = true
        } else {
            return nil
        }
        var rest = Substring(text.dropFirst(scheme.count))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        let defaultPort = tls ? 8883 : 1883
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.isEmpty {
                port = defaultPort
            } else {
                guard after.hasPrefix(":"), let value = Int(after.dropFirst()) else { return nil }
                port = value
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            guard let value = Int(rest[rest.index(after: colon)...]) else { return nil }
            port = value
        } else {
            host = String(rest)
            port = defaultPort
        }
        guard !host.isEmpty, !host.contains("/"), (1...65535).contains(port) else { return nil }
    }

    public var description: String {
        (tls ? "mqtts://" : "mqtt://") + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }
}

/// `HOST:PORT` (IPv6 in brackets); port 0 asks the system for a free one.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            return nil
        }
        let host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

import Foundation
