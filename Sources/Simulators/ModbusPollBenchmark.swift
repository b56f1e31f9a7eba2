import Foundation
public import Logging
import Modbus
import Synchronization
public import WaystationCore

/// How fast one bus polls one unit back to back, and what it costs in CPU: the ceiling of the poll path
/// (libmodbus request/response on the bus thread, plus handing each poll over) on this machine.
public enum ModbusPollBenchmark {
    public struct Report: Sendable {
        public var polls: Int
        public var requests: Int
        public var failures: Int
        public var seconds: Double
        /// User + system CPU of this process over the run.
        public var cpuSeconds: Double
        public var requestsPerSecond: Double { seconds > 0 ? Double(requests) / seconds : 0 }
        public var cpuPercent: Double { seconds > 0 ? cpuSeconds / seconds * 100 : 0 }
        public var cpuMicrosPerRequest: Double { requests > 0 ? cpuSeconds * 1e6 / Double(requests) : 0 }
    }

    public static func run(endpoint: ModbusEndpoint, unit: Int, blocks: [ModbusReadBlock], seconds: Double, logger: Logger) async -> Report {
        let failures = Atomic<Int>(0)
        let job = ModbusBus.Job(device: "benchmark", unit: unit, interval: .zero, timeout: .seconds(1), blocks: blocks)
        let bus = ModbusBus(endpoint: endpoint, jobs: [job], logger: logger) { poll in
            if case .failure = poll.result { failures.add(1, ordering: .relaxed) }
        }
        let cpuBefore = cpuSeconds()
        let started = Monotonic.now()
        bus.start()
        try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
        await bus.stop()
        let elapsed = Monotonic.now() - started
        let stats = bus.stats
        return Report(
            polls: stats.polls, requests: stats.requests, failures: failures.load(ordering: .relaxed),
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            cpuSeconds: cpuSeconds() - cpuBefore)
    }

    private static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
    }
}
