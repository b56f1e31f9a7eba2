/// A delivery lane: each lane has its own `seq`, its own batches, and its own order.
public enum Lane: String, Sendable, CaseIterable, Codable, Comparable {
    /// Scans, inventory, milestones, alerts, gaps: never evicted, sent as soon as possible.
    case critical
    /// Measurements and device status: batched, evictable oldest-first under quota.
    case bulk

    /// Stable small integer used as the storage key.
    public var code: Int {
        switch self {
        case .critical: 0
        case .bulk: 1
        }
    }

    public init?(code: Int) {
        switch code {
        case 0: self = .critical
        case 1: self = .bulk
        default: return nil
        }
    }

    public static func < (lhs: Lane, rhs: Lane) -> Bool { lhs.code < rhs.code }
}

/// The canonical event types of `waystation.event/v1`.
public enum EventType: String, Sendable, CaseIterable {
    case scan
    case inventoryAdjustment = "inventory.adjustment"
    case inventoryCount = "inventory.count"
    case shipmentMilestone = "shipment.milestone"
    case measurement
    case alert
    case deviceStatus = "device.status"
    case gap

    /// The lane an event of this type travels in.
    public var lane: Lane {
        switch self {
        case .measurement, .deviceStatus: .bulk
        default: .critical
        }
    }
}
