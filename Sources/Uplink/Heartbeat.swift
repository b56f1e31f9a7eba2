import Synchronization
import WaystationCore

/// When a lane sender promised to be back: set before every wait, so a watchdog can tell "sleeping as
/// planned" from "stuck". Milliseconds on the wall clock of this process.
final class Heartbeat: Sendable {
    private let deadline = Atomic<Int64>(Int64.max)
    private let activity = Mutex("starting")
    /// Slack on top of every promise before the sender counts as stuck.
    let grace: Duration

    init(grace: Duration) { self.grace = grace }

    /// The sender is about to do `what`, which should take at most `duration` (plus grace).
    func expect(_ what: String, within duration: Duration) {
        deadline.store(Timestamp.nowMillis() + (duration + grace).milliseconds, ordering: .relaxed)
        activity.withLock { $0 = what }
    }

    /// What the sender overran, if it did.
    func overdue(now: Int64) -> String? {
        now > deadline.load(ordering: .relaxed) ? activity.withLock { $0 } : nil
    }
}
