import Foundation
import WaystationCore

#if canImport(Glibc)
import Glibc
#endif

/// `waystation simulate scale|sensor` as a subprocess on a loopback port, started and stopped by PID.
public final class ModbusSimulatorProcess: Sendable {
    public let port: Int
    public let kind: String
    private let directory: String
    private let arguments: [String]
    private let process: Locked<ChildProcess?>
    private let runs = Locked(0)

    public init(kind: String, directory: String, port: Int? = nil, units: [Int] = [1], arguments: [String] = []) throws {
        self.kind = kind
        self.port = port ?? TestEnvironment.freePort()
        self.directory = directory
        self.arguments = units.flatMap { ["--unit", String($0)] } + arguments
        self.process = Locked(nil)
        try start()
    }

    public var endpoint: String { "tcp://127.0.0.1:\(port)" }
    public var pid: Int32? { process.withLock { $0 }?.pid }
    public var log: String { process.withLock { $0 }?.log ?? "" }

    /// Starts (again) on the same port.
    public func start() throws {
        let run = runs.withLock { runs in
            runs += 1
            return runs
        }
        let child = try ChildProcess(
            name: "simulate-\(kind)", executable: TestEnvironment.binary,
            arguments: ["simulate", kind, "--listen", "127.0.0.1:\(port)"] + arguments,
            logPath: directory + "/simulate-\(kind)-\(port)-\(run).log")
        process.withLock { $0 = child }
    }

    /// Waits until the simulator says it is serving.
    public func ready() async -> Bool {
        await TestEnvironment.eventually(timeout: .seconds(15)) { log.contains("simulator serving") }
    }

    public func stop() async {
        let child = process.withLock { $0 }
        await child?.stop()
    }
}

/// A pseudo-terminal pair joined by socat: what one end writes, the other reads — an RS-485 line for tests.
public final class SerialLinePair: Sendable {
    /// The two ends, as symlinks to the /dev/pts devices.
    public let first: String
    public let second: String
    private let process: ChildProcess

    public init(directory: String) throws {
        first = directory + "/ttyA"
        second = directory + "/ttyB"
        process = try ChildProcess(
            name: "socat", executable: "/usr/bin/socat",
            arguments: ["-d", "-d", "pty,raw,echo=0,link=\(first)", "pty,raw,echo=0,link=\(second)"],
            logPath: directory + "/socat.log")
    }

    public func ready() async -> Bool {
        await TestEnvironment.eventually(timeout: .seconds(10)) {
            FileManager.default.fileExists(atPath: first) && FileManager.default.fileExists(atPath: second)
        }
    }

    public func stop() async { await process.stop() }
}

/// What /proc says about a process: threads, memory, CPU.
public enum ProcessProbe {
    /// Number of threads (entries of /proc/PID/task).
    public static func threads(_ pid: Int32) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []).count
    }

    /// Names of the threads (/proc/PID/task/TID/comm), e.g. "modbus tcp://12" (Linux cuts names to 15 bytes).
    public static func threadNames(_ pid: Int32) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []).compactMap { tid in
            (try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// Resident memory in KiB (VmRSS).
    public static func residentKiB(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
    }

    /// User + system CPU seconds so far (/proc/PID/stat fields 14 and 15).
    public static func cpuSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After "pid (comm)": field 3 is index 0, so utime (14) and stime (15) are at 11 and 12.
        let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
