internal import CSystemClock
import Synchronization
import WaystationCore

/// Whether wall-clock time can be trusted for `acceptedAt`: gateways often boot without a real-time clock,
/// and until NTP sets the clock (or after it jumps backwards) timestamps are wrong. Ordering never uses them.
final class ClockCheck: Sendable {
    private let highWater = Atomic<Int64>(0)
    private let lastProbe = Atomic<Int64>(0)
    private let kernelUnsynced = Atomic<Bool>(false)
    /// Set in tests and by `WAYSTATION_ASSUME_CLOCK_UNSYNCED=1` to exercise the flag.
    let forcedUnsynced: Bool

    init(highWater: Int64, forcedUnsynced: Bool) {
        self.highWater.store(highWater, ordering: .relaxed)
        self.forcedUnsynced = forcedUnsynced
    }

    /// `true` if `now` should be flagged: the kernel reports the clock unsynchronised, or it is more than a
    /// second behind the latest acceptance time already stored.
    func isUnsynced(now: Int64) -> Bool {
        if now - lastProbe.load(ordering: .relaxed) > 1000 {
            lastProbe.store(now, ordering: .relaxed)
            kernelUnsynced.store(waystation_clock_unsynchronised() == 1, ordering: .relaxed)
        }
        let previous = highWater.load(ordering: .relaxed)
        if now > previous { highWater.store(now, ordering: .relaxed) }
        return forcedUnsynced || kernelUnsynced.load(ordering: .relaxed) || now < previous - 1000
    }
}

enum FileSystem {
    /// Free bytes for the state directory's file system, or nil if unknown.
    static func freeBytes(_ path: String) -> Int64? {
        let value = waystation_free_bytes(path)
        return value < 0 ? nil : Int64(value)
    }
}
