import Synchronization

/// Per-device Modbus counts since start, for logs, tests and (later) metrics.
public final class ModbusCounters: Sendable {
    public struct Device: Sendable, Equatable {
        public var polls = 0
        public var failedPolls = 0
        public var timeouts = 0
        public var exceptions = 0
        /// Registers that were read but could not be decoded (NaN, a "no reading" marker).
        public var badData = 0
        public var measurements = 0
        public var offline = false
        public var lastError: String?
    }

    private let counts = Mutex<[String: Device]>([:])

    public init() {}

    func record(_ device: String, _ update: (inout Device) -> Void) {
        counts.withLock { update(&$0[device, default: Device()]) }
    }

    public var snapshot: [String: Device] { counts.withLock { $0 } }
}
