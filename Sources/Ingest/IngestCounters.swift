import Synchronization
import WaystationCore

/// Per-device counts since start, for logs, status and (later) metrics.
public final class IngestCounters: Sendable {
    public struct Device: Sendable, Equatable {
        public var accepted = 0
        public var duplicates = 0
        public var rejected = 0
        public var lastReason: String?
        /// The last event, kept as it was accepted; summarised only when someone reads it.
        var lastDraft: EventDraft?
        /// A short human summary of the last event (`scan 4006381333931`).
        public var lastReading: String? { lastDraft.map(MQTTIngest.summary(of:)) }
        /// When the last event came.
        public var lastSeenMillis: Int64?
    }

    private let counts = Mutex<[String: Device]>([:])

    public init() {}

    func record(_ device: String, _ update: (inout Device) -> Void) {
        counts.withLock { update(&$0[device, default: Device()]) }
    }

    public var snapshot: [String: Device] { counts.withLock { $0 } }
}
