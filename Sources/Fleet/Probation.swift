public import WaystationCore

/// Decides whether a just-applied config keeps running (DESIGN.md 3.7): it is rolled back if, within the
/// probation time, it cannot reach what the previous config could reach.
///
/// - upstream: the previous config's lanes were healthy (their last attempt succeeded) and now a lane has
///   failed since the switch and is still failing, or nothing got through while an event waited half the
///   probation time (or the bulk lane's linger, if longer) — so `probation` should exceed `upstream.timeout`;
/// - floor broker: the previous config was connected and the new one is not;
/// - Modbus: the previous config polled at least one device successfully and none of the new config's
///   Modbus devices has been polled successfully since the switch.
///
/// It passes early once every check that applies has positive evidence (two batches delivered since the
/// switch, the floor connected, a Modbus device polled); otherwise it is decided when the time is up.
public struct Probation: Sendable {
    public enum Verdict: Sendable, Equatable {
        case undecided
        case passed
        case failed([String])
    }

    public let before: FleetHealth
    public let config: AgentConfig
    public let duration: Duration

    public init(before: FleetHealth, config: AgentConfig, duration: Duration) {
        self.before = before
        self.config = config
        self.duration = duration
    }

    /// The verdict on `now`; `timeUp` once the probation time has passed.
    public func verdict(_ now: FleetHealth, timeUp: Bool) -> Verdict {
        let checks = [upstream(now), floor(now), modbus(now)]
        let failures = checks.compactMap { check -> String? in if case .failed(let reason) = check { reason } else { nil } }
        if checks.allSatisfy({ $0 == .reached }) { return .passed }
        guard timeUp else { return .undecided }
        return failures.isEmpty ? .passed : .failed(failures)
    }

    enum Check: Equatable {
        case reached
        case unknown
        case failed(String)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private var window: String { "within the \(DurationText.format(duration)) probation" }

    private func upstream(_ now: FleetHealth) -> Check {
        guard before.upstreamHealthy else { return .reached }  // nothing to compare against: not the new config's fault
        let delivered = now.lanes.reduce(0) { $0 + $1.value.deliveredBatches - (before.lanes[$1.key]?.deliveredBatches ?? 0) }
        if delivered >= 2 { return .reached }
        let failing = now.lanes.filter { name, lane in
            lane.failures > (before.lanes[name]?.failures ?? 0) && (lane.lastError != nil || lane.authFailed)
        }
        if let (name, lane) = failing.min(by: { $0.key < $1.key }) {
            return .failed("upstream \(config.upstream.url) not reachable \(window) (\(name) lane: \(lane.lastError ?? "authentication refused"))")
        }
        // One batch may be the previous sink's, finishing after the switch. An event that has waited half the
        // probation (or the bulk linger, if longer) with nothing else getting through means no way upstream.
        let patience = max(duration / 2, config.upstream.batch.linger)
        if delivered <= 1, let oldest = now.oldestUndeliveredSeconds, oldest >= Self.seconds(patience) {
            let lastError = now.lanes.values.compactMap(\.lastError).first.map { "; last error: \($0)" } ?? ""
            return .failed(
                "upstream \(config.upstream.url) not reachable \(window) (nothing delivered; an event has waited \(Int(oldest.rounded()))s\(lastError))")
        }
        return .unknown
    }

    private func floor(_ now: FleetHealth) -> Check {
        guard before.floorConnected else { return .reached }
        if now.floorConnected { return .reached }
        return .failed("floor broker \(config.floor.url) not connected \(window); the previous config was connected")
    }

    private func modbus(_ now: FleetHealth) -> Check {
        let previouslyPolled = before.modbus.values.contains { !$0.offline && $0.goodPolls > 0 }
        let ids = config.modbusDevices.map(\.id)
        guard previouslyPolled, !ids.isEmpty else { return .reached }
        let polled = ids.contains { id in (now.modbus[id]?.goodPolls ?? 0) > (before.modbus[id]?.goodPolls ?? 0) }
        if polled { return .reached }
        let errors = ids.compactMap { id in now.modbus[id]?.lastError.map { "\(id): \($0)" } }
        return .failed(
            "Modbus devices \(ids.joined(separator: ", ")): none polled successfully \(window)"
                + (errors.isEmpty ? "" : " (\(errors.joined(separator: "; ")))") + "; the previous config polled its devices")
    }
}
