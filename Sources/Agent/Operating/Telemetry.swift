import CoreMetrics
import Foundation
import Ingest
import Metrics
import Outbox
import Prometheus
import Synchronization
import Uplink
import WaystationCore

/// The agent's Prometheus registry. Components keep their own counts (cheap, no locks on the hot path
/// beyond their own); on every scrape the collector brings the registry up to date from their snapshots.
/// Delivery latency is a histogram the uplink records through swift-metrics into this same registry.
public final class Telemetry: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let counterValues = Mutex<[String: Int64]>([:])

    /// One registry per process: swift-metrics can be bootstrapped once.
    public static let shared: Telemetry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["waystation_delivery_latency_seconds"] =
            [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300].map { .milliseconds(Int64($0 * 1000)) }
        MetricsSystem.bootstrap(factory)
        return Telemetry(registry: registry)
    }()

    init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    /// Sets a counter to an absolute total that only grows (a component's own count).
    func counter(_ name: String, _ labels: [(String, String)], total: Int) {
        let key = name + labels.map { "|\($0.0)=\($0.1)" }.joined()
        let delta = counterValues.withLock { values -> Int64 in
            let previous = values[key] ?? 0
            values[key] = max(previous, Int64(total))
            return max(0, Int64(total) - previous)
        }
        let counter = registry.makeCounter(descriptor: Self.descriptor(name), labels: labels)
        if delta > 0 { counter.increment(by: delta) }
    }

    func gauge(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        registry.makeGauge(descriptor: Self.descriptor(name), labels: labels).set(value)
    }

    static func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help[name] ?? "")
    }

    /// `# HELP` lines.
    static let help: [String: String] = [
        "waystation_outbox_accepted_total": "Inputs accepted into the outbox as events (store lifetime).",
        "waystation_outbox_duplicates_total": "Device messages dropped as retransmissions of an accepted message id.",
        "waystation_outbox_rejected_total": "Inputs that could not become events, kept in the rejected table.",
        "waystation_outbox_refused_total": "Events refused because the disk quota is filled by critical events.",
        "waystation_outbox_evicted_total": "Bulk events evicted under the disk quota (announced by gap events).",
        "waystation_outbox_gaps_total": "Gap events announcing evicted bulk ranges.",
        "waystation_outbox_delivered_total": "Events acknowledged by the upstream (store lifetime).",
        "waystation_outbox_dead_lettered_total": "Events the upstream refused, moved to the dead letter.",
        "waystation_outbox_replayed_total": "Dead letters replayed into their lane.",
        "waystation_outbox_purged_total": "Dead letters purged.",
        "waystation_outbox_events": "Events waiting for delivery.",
        "waystation_outbox_bytes": "Bytes of events waiting for delivery.",
        "waystation_outbox_oldest_undelivered_age_seconds": "Age of the oldest undelivered event: the sync lag.",
        "waystation_delivered_events_total": "Events delivered since start.",
        "waystation_delivered_batches_total": "Batches delivered since start.",
        "waystation_delivery_failures_total": "Failed delivery attempts by class (network, 4xx, 5xx, auth).",
        "waystation_uplink_restarts_total": "Lane restarts by the forward-progress watchdog.",
        "waystation_uplink_auth_failed": "1 while the upstream refuses the credentials.",
        "waystation_events_accepted_total": "Events accepted per device since start.",
        "waystation_inputs_rejected_total": "Inputs rejected per device since start.",
        "waystation_duplicates_total": "Device retransmissions dropped per device since start.",
        "waystation_modbus_polls_total": "Modbus polls per device.",
        "waystation_modbus_errors_total": "Modbus poll errors per device and kind.",
        "waystation_modbus_device_offline": "1 while a Modbus device does not answer.",
        "waystation_dead_letters": "Events in the dead letter.",
        "waystation_input_refused": "1 while new input is refused (quota or disk full).",
        "waystation_mqtt_connected": "1 while connected to the broker.",
        "waystation_config_version": "Version of the running config (0 for the local file).",
        "waystation_store_open": "1 while the outbox store is open.",
    ]

    /// The text exposition of every metric.
    public func exposition() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}

/// What the agent is doing right now, gathered from its parts: the one source for metrics, health,
/// the status page and the systemd watchdog.
public struct AgentSnapshot: Sendable, Codable {
    public struct LaneState: Sendable, Codable {
        public var lane: String
        public var backlog: Int
        public var backlogBytes: Int64
        public var oldestUndeliveredAgeSeconds: Double?
        public var deliveredEvents: Int
        public var deliveredBatches: Int
        public var failures: Int
        public var lastError: String?
        public var authFailed: Bool
        public var lastDeliveryAt: String?
        public var restarts: Int
    }

    public struct DeviceState: Sendable, Codable {
        public var id: String
        public var kind: String
        public var accepted: Int
        public var rejected: Int
        public var duplicates: Int
        public var lastReading: String?
        public var lastSeenAt: String?
        public var lastError: String?
        public var offline: Bool
    }

    public var gateway: String
    public var version: String
    public var configVersion: Int64
    public var startedAt: String
    public var floorConnected: Bool
    public var storeOpen: Bool
    public var inputRefused: String?
    public var deadLetters: Int
    public var totals: [String: Int64]
    public var lanes: [LaneState]
    public var devices: [DeviceState]
}
