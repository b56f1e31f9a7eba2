public import Outbox
import WaystationCore

/// The retained `status` heartbeat: what a central team looks at first. No secrets: no tokens, passwords or
/// config text — errors are the sinks' own one-line reasons.
public struct StatusReport: Codable, Sendable, Equatable {
    public struct LaneStatus: Codable, Sendable, Equatable {
        public var backlog: Int
        public var oldestUndeliveredSeconds: Double?
        public var lastSeq: Int64
        public var lastDeliveryAt: String?
        public var lastError: String?
        public var authFailed: Bool
    }

    public struct Rates: Codable, Sendable, Equatable {
        public var acceptedPerSecond: Double
        public var deliveredPerSecond: Double
    }

    public var state: String
    public var gateway: String
    public var agentVersion: String
    /// The remote config version running (0: the local file).
    public var configVersion: Int64
    /// A pushed version on probation right now, if any.
    public var probationVersion: Int64?
    public var at: String
    public var floorConnected: Bool
    public var lanes: [String: LaneStatus]
    public var deadLetters: Int
    public var rejectedInputs: Int64
    public var inputRefused: String?
    public var rates: Rates

    public static let offline: [UInt8] = Array(#"{"state":"offline"}"#.utf8)

    /// Totals the rates are computed from, kept between heartbeats.
    public struct Totals: Sendable {
        var accepted: Int64
        var delivered: Int64
        var millis: Int64
    }

    public static func make(
        gateway: String, configVersion: Int64, probationVersion: Int64?, stats: OutboxStats, health: FleetHealth, previous: Totals?
    ) -> (StatusReport, Totals) {
        let now = Timestamp.nowMillis()
        let totals = Totals(accepted: stats.totals["accepted"] ?? 0, delivered: stats.totals["delivered"] ?? 0, millis: now)
        var rates = Rates(acceptedPerSecond: 0, deliveredPerSecond: 0)
        if let previous, now > previous.millis {
            let seconds = Double(now - previous.millis) / 1000
            rates = Rates(
                acceptedPerSecond: rounded(Double(totals.accepted - previous.accepted) / seconds),
                deliveredPerSecond: rounded(Double(totals.delivered - previous.delivered) / seconds))
        }
        var lanes: [String: LaneStatus] = [:]
        for lane in stats.lanes {
            let uplink = health.lanes[lane.lane]
            lanes[lane.lane] = LaneStatus(
                backlog: lane.backlog, oldestUndeliveredSeconds: lane.oldestUndeliveredAgeSeconds.map(rounded), lastSeq: lane.lastSeq,
                lastDeliveryAt: uplink?.lastDeliveryMillis.map(Timestamp.iso8601(millis:)), lastError: uplink?.lastError,
                authFailed: uplink?.authFailed ?? false)
        }
        let report = StatusReport(
            state: "online", gateway: gateway, agentVersion: WaystationVersion.current, configVersion: configVersion,
            probationVersion: probationVersion, at: Timestamp.iso8601(millis: now), floorConnected: health.floorConnected, lanes: lanes,
            deadLetters: stats.deadLetters, rejectedInputs: stats.totals["rejected"] ?? 0, inputRefused: stats.inputRefused, rates: rates)
        return (report, totals)
    }

    private static func rounded(_ value: Double) -> Double { (value * 10).rounded() / 10 }
}
