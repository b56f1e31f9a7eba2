/// Decides which unit on a bus is polled next and when. Pure: time comes in as `Duration`s since any fixed
/// origin, so the rules are tested without a bus or a clock.
///
/// - Polls are staggered: the units of a bus start spread over their interval, not all at t=0.
/// - A unit that answers is polled at a fixed rate (due += interval); a poll made late because the line was
///   busy is caught up, but a unit more than one interval behind skips the missed polls instead of bursting.
/// - A unit that fails is backed off exponentially (2×, 4×, 8× its interval …) up to `backoffCap` (or its
///   own interval, if longer), so a dead unit costs the shared line one timeout per backoff period and the
///   healthy units keep their rate.
public struct PollScheduler: Sendable {
    public struct Entry: Sendable, Equatable {
        public let key: String
        public var interval: Duration
        public var due: Duration
        public var failures: Int
    }

    public private(set) var entries: [Entry] = []
    public let backoffCap: Duration

    public init(jobs: [(key: String, interval: Duration)] = [], start: Duration, backoffCap: Duration = .seconds(5)) {
        self.backoffCap = backoffCap
        replace(jobs: jobs, at: start)
    }

    /// The entry to poll next: the earliest due; ties go to the one listed first.
    public func next() -> Int? {
        entries.indices.min { entries[$0].due < entries[$1].due }
    }

    public mutating func completed(_ index: Int, at now: Duration, success: Bool) {
        var entry = entries[index]
        if success {
            entry.failures = 0
            entry.due += entry.interval
            if entry.due + entry.interval < now { entry.due = now }
        } else {
            entry.failures += 1
            entry.due = now + backoff(failures: entry.failures, interval: entry.interval)
        }
        entries[index] = entry
    }

    /// Delay before retrying a unit that failed `failures` times in a row.
    public func backoff(failures: Int, interval: Duration) -> Duration {
        let cap = max(backoffCap, interval)
        var delay = interval
        for _ in 0..<min(failures, 20) {
            delay = delay * 2
            if delay >= cap { return cap }
        }
        return delay
    }

    /// Swaps the job list (config reload). Units that stay keep their timing and failure count; new ones are
    /// staggered over their interval from `now`.
    public mutating func replace(jobs: [(key: String, interval: Duration)], at now: Duration) {
        let old = Dictionary(entries.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let fresh = jobs.filter { old[$0.key]?.interval != $0.interval }
        entries = jobs.map { job in
            if let kept = old[job.key], kept.interval == job.interval { return kept }
            let slot = fresh.firstIndex { $0.key == job.key } ?? 0
            return Entry(key: job.key, interval: job.interval, due: now + job.interval * slot / max(1, fresh.count), failures: 0)
        }
    }
}
