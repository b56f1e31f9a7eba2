import Foundation
import Logging
import Synchronization
public import WaystationCore

/// The one owner of a Modbus bus — a TCP endpoint or a serial port — and of the libmodbus context on it.
///
/// Each bus runs its own thread: libmodbus blocks for up to a response timeout and its contexts are not
/// thread-safe, so no libmodbus call ever runs on Swift's cooperative pool or on two threads at once. On the
/// thread, one request is in flight at a time; `PollScheduler` decides who is next (staggered, fixed-rate,
/// failed units backed off). A broken connection or port is closed and reopened by the next poll that needs it.
public final class ModbusBus: Sendable {
    /// One unit to poll on this bus.
    public struct Job: Sendable, Equatable {
        public var device: String
        public var unit: Int
        public var interval: Duration
        public var timeout: Duration
        public var blocks: [ModbusReadBlock]

        public init(device: String, unit: Int, interval: Duration, timeout: Duration, blocks: [ModbusReadBlock]) {
            self.device = device
            self.unit = unit
            self.interval = interval
            self.timeout = timeout
            self.blocks = blocks
        }
    }

    /// What one poll of one unit gave: every block, or the first error.
    public struct Poll: Sendable {
        public var device: String
        public var unit: Int
        public var wallMillis: Int64
        /// Monotonic instant the poll finished (see `Monotonic`).
        public var monotonic: Duration
        public var result: Result<ModbusBlockData, ModbusError>
        /// Requests sent for this poll.
        public var requests: Int
    }

    public struct Stats: Sendable, Equatable {
        public var polls = 0
        public var failedPolls = 0
        public var requests = 0
        /// Connections (or port opens) made after the first one.
        public var reconnects = 0
    }

    public let endpoint: ModbusEndpoint
    private let logger: Logger
    private let onPoll: @Sendable (Poll) -> Void
    private let wakeUp = WakeUp()
    private let completion = ThreadCompletion()
    private let shared: Mutex<Shared>

    private struct Shared {
        var jobs: [Job]
        var jobsChanged = true
        var stopping = false
        var started = false
        var stats = Stats()
    }

    /// `onPoll` runs on the bus thread after every poll; it must not block for long.
    public init(endpoint: ModbusEndpoint, jobs: [Job], logger: Logger, onPoll: @escaping @Sendable (Poll) -> Void) {
        self.endpoint = endpoint
        self.logger = logger
        self.onPoll = onPoll
        self.shared = Mutex(Shared(jobs: jobs))
    }

    public var jobs: [Job] { shared.withLock { $0.jobs } }
    public var stats: Stats { shared.withLock { $0.stats } }

    /// Starts the bus thread. Call once.
    public func start() {
        let first = shared.withLock { shared in
            defer { shared.started = true }
            return !shared.started
        }
        guard first else { return }
        let name = "modbus \(endpoint.busKey)"
        let thread = Thread { [self] in
            Self.nameCurrentThread(name)
            runLoop()
            completion.finish()
        }
        thread.name = name
        thread.start()
    }

    /// Swaps the units polled on this bus; units that stay keep their schedule.
    public func update(_ jobs: [Job]) {
        shared.withLock { shared in
            shared.jobs = jobs
            shared.jobsChanged = true
        }
        wakeUp.notify()
    }

    /// Stops polling and waits for the thread to close the context and exit (at most one response timeout).
    public func stop() async {
        let started = shared.withLock { shared in
            shared.stopping = true
            return shared.started
        }
        wakeUp.notify()
        if started { await completion.wait() }
    }

    // MARK: The bus thread

    private func runLoop() {
        var context: ModbusContext?
        var everConnected = false
        var jobs: [Job] = []
        var scheduler = PollScheduler(start: Monotonic.now())
        while true {
            let seen = wakeUp.current
            let (stopping, changed) = shared.withLock { shared -> (Bool, [Job]?) in
                defer { shared.jobsChanged = false }
                return (shared.stopping, shared.jobsChanged ? shared.jobs : nil)
            }
            if stopping { break }
            if let changed {
                jobs = changed
                scheduler.replace(jobs: jobs.map { ($0.device, $0.interval) }, at: Monotonic.now())
            }
            guard let index = scheduler.next() else {
                context = nil  // nothing to poll: release the port or connection
                wakeUp.wait(until: nil, seen: seen)
                continue
            }
            let due = scheduler.entries[index].due
            if due > Monotonic.now() {
                wakeUp.wait(until: due, seen: seen)
                continue
            }
            let job = jobs[index]
            let (poll, connected) = perform(job, context: &context)
            scheduler.completed(index, at: poll.monotonic, success: isSuccess(poll))
            shared.withLock { shared in
                shared.stats.polls += 1
                shared.stats.requests += poll.requests
                if !isSuccess(poll) { shared.stats.failedPolls += 1 }
                if connected && everConnected { shared.stats.reconnects += 1 }
            }
            if connected {
                if everConnected { logger.debug("Modbus reconnected", metadata: ["bus": "\(endpoint.busKey)"]) }
                everConnected = true
            }
            onPoll(poll)
        }
        context = nil
    }

    private func isSuccess(_ poll: Poll) -> Bool {
        if case .success = poll.result { return true }
        return false
    }

    /// One poll of one unit: (re)connect if needed, then every block. Returns whether it had to connect.
    private func perform(_ job: Job, context: inout ModbusContext?) -> (Poll, Bool) {
        var requests = 0
        var connected = false
        let result: Result<ModbusBlockData, ModbusError>
        do throws(ModbusError) {
            let active: ModbusContext
            if let context {
                active = context
            } else {
                active = try ModbusContext(endpoint: endpoint)
                context = active
            }
            active.select(unit: job.unit, timeout: job.timeout)
            if !active.isConnected {
                try active.connect()
                connected = true
            }
            var data: ModbusBlockData = [:]
            for block in job.blocks {
                requests += 1
                data[block] = try active.read(block)
            }
            result = .success(data)
        } catch {
            var error = error
            error.device = job.device
            recover(from: error, context: context)
            result = .failure(error)
        }
        let poll = Poll(
            device: job.device, unit: job.unit, wallMillis: Monotonic.wallMillis(), monotonic: Monotonic.now(), result: result,
            requests: requests)
        return (poll, connected)
    }

    /// After a failure: a broken link is closed (the next poll reopens it); on a serial line a timeout or a
    /// garbled answer flushes the port so a late reply cannot pass for the next unit's. An exception needs nothing.
    private func recover(from error: ModbusError, context: ModbusContext?) {
        guard let context else { return }
        switch error.kind {
        case .exception: break
        case .connection, .other: context.close()
        case .timeout, .badResponse:
            if endpoint.isSerial { context.flush() } else { context.close() }
        }
    }
}
