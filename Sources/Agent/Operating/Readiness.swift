import Foundation
import WaystationCore

/// `/readyz`: the store is open, the floor broker is connected (when MQTT devices are configured), the
/// uplink is not stuck and its credentials are accepted. The JSON body says why not.
public struct Readiness: Sendable, Codable, Equatable {
    public var ready: Bool
    public var reasons: [String]

    public static func evaluate(_ snapshot: AgentSnapshot, needsFloor: Bool, overdueLanes: [Lane: String]) -> Readiness {
        var reasons: [String] = []
        if !snapshot.storeOpen { reasons.append("store: the outbox is not open") }
        if needsFloor && !snapshot.floorConnected { reasons.append("floor: not connected to the floor broker") }
        for (lane, activity) in overdueLanes.sorted(by: { $0.key < $1.key }) {
            reasons.append("uplink: lane \(lane.rawValue) made no progress while \(activity)")
        }
        for lane in snapshot.lanes where lane.authFailed {
            reasons.append("uplink: auth-failed on lane \(lane.lane) (\(lane.lastError ?? "credentials refused"))")
        }
        if let refused = snapshot.inputRefused { reasons.append("outbox: input refused: \(refused)") }
        return Readiness(ready: reasons.isEmpty, reasons: reasons)
    }
}
