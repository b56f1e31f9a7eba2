import Modbus
import Testing

/// The bus scheduler's decisions, on a simulated line: no sleeping, no devices.
@Suite("Modbus: poll scheduler")
struct ModbusPollSchedulerTests {
    /// Runs a shared line for `duration`: each poll occupies the line for `busy` (answer) or `timeout` (dead unit).
    /// Returns the poll times of every unit.
    static func simulateLine(
        units: [String], interval: Duration, dead: Set<String>, busy: Duration, timeout: Duration, duration: Duration,
        revive: (at: Duration, unit: String)? = nil
    ) -> [String: [Duration]] {
        var scheduler = PollScheduler(jobs: units.map { ($0, interval) }, start: .zero)
        var now = Duration.zero
        var polls: [String: [Duration]] = [:]
        var dead = dead
        while now < duration {
            if let revive, now >= revive.at { dead.remove(revive.unit) }
            let index = scheduler.next()!
            let entry = scheduler.entries[index]
            now = max(now, entry.due)  // the line idles until the next poll is due
            polls[entry.key, default: []].append(now)
            let answers = !dead.contains(entry.key)
            now += answers ? busy : timeout  // one request in flight: the line is busy until the answer or the timeout
            scheduler.completed(index, at: now, success: answers)
        }
        return polls
    }

    @Test("units on one bus are staggered over the interval, not all polled at t=0")
    func staggered() {
        let scheduler = PollScheduler(jobs: [("a", .milliseconds(300)), ("b", .milliseconds(300)), ("c", .milliseconds(300))], start: .seconds(10))
        #expect(scheduler.entries.map(\.due) == [.seconds(10), .milliseconds(10_100), .milliseconds(10_200)])
    }

    @Test("a dead unit on a shared line is backed off exponentially up to the cap; healthy units keep their rate")
    func deadUnitDoesNotStallTheLine() {
        let polls = Self.simulateLine(
            units: ["u1", "u2", "u3"], interval: .milliseconds(200), dead: ["u3"], busy: .milliseconds(10), timeout: .milliseconds(150),
            duration: .seconds(60))
        // 60 s at 200 ms: 300 polls each for the healthy units.
        #expect((295...301).contains(polls["u1"]!.count), "u1 polled \(polls["u1"]!.count) times")
        #expect((295...301).contains(polls["u2"]!.count), "u2 polled \(polls["u2"]!.count) times")
        // The dead one: 0, +0.4, +0.8, +1.6, +3.2, then every 5 s (the cap).
        let dead = polls["u3"]!
        let gaps = zip(dead.dropFirst(), dead).map { $0 - $1 }
        #expect(gaps.prefix(4).map { ($0 - .milliseconds(150)) / .milliseconds(1) } == [400, 800, 1600, 3200].map(Double.init))
        #expect(gaps.dropFirst(4).allSatisfy { $0 == .milliseconds(5150) })
        #expect(dead.count < 20)
    }

    @Test("a dead unit that comes back is polled at its full rate again")
    func recovery() {
        let polls = Self.simulateLine(
            units: ["u1", "u2"], interval: .milliseconds(100), dead: ["u2"], busy: .milliseconds(5), timeout: .milliseconds(100),
            duration: .seconds(40), revive: (.seconds(20), "u2"))
        let after = polls["u2"]!.filter { $0 >= .seconds(26) }  // back within one backoff period (5 s) after reviving
        #expect((138...141).contains(after.count), "u2 polled \(after.count) times in the last 14 s")
    }

    @Test("a late poll is caught up; a unit more than one interval behind skips instead of bursting")
    func fixedRate() {
        var scheduler = PollScheduler(jobs: [("a", .seconds(1))], start: .zero)
        scheduler.completed(0, at: .milliseconds(1500), success: true)  // the poll due at 0 finished late
        #expect(scheduler.entries[0].due == .seconds(1))  // next one still due at 1 s: the rate is kept
        scheduler.completed(0, at: .seconds(5), success: true)  // stalled for seconds
        #expect(scheduler.entries[0].due == .seconds(5))  // no burst of missed polls
    }

    @Test("backoff doubles from the interval and stops at the cap, or at the interval when that is longer")
    func backoff() {
        let scheduler = PollScheduler(start: .zero, backoffCap: .seconds(5))
        #expect((1...5).map { scheduler.backoff(failures: $0, interval: .milliseconds(500)) }
            == [.seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5)])
        #expect(scheduler.backoff(failures: 3, interval: .seconds(60)) == .seconds(60))
        #expect(scheduler.backoff(failures: 1000, interval: .milliseconds(50)) == .seconds(5))
    }

    @Test("replacing the job list keeps the schedule and failures of units that stay")
    func replaceKeepsState() {
        var scheduler = PollScheduler(jobs: [("a", .seconds(1)), ("b", .seconds(1))], start: .zero)
        scheduler.completed(1, at: .milliseconds(600), success: false)
        let b = scheduler.entries[1]
        scheduler.replace(jobs: [("b", .seconds(1)), ("c", .seconds(2))], at: .seconds(1))
        #expect(scheduler.entries.map(\.key) == ["b", "c"])
        #expect(scheduler.entries[0] == b)
        #expect(scheduler.entries[1].due == .seconds(1) && scheduler.entries[1].failures == 0)
    }
}
