import Foundation
import Outbox

#if canImport(Glibc)
import Glibc
#endif

/// `waystation run` as a subprocess with a config written by the test: started, signalled, killed by PID.
public final class AgentProcess: Sendable {
    public let directory: String
    public let configPath: String
    public let stateDirectory: String
    private let current = Locked<ChildProcess?>(nil)
    private let runs = Locked(0)

    public init(directory: String, config: String) throws {
        self.directory = directory
        self.configPath = directory + "/waystation.yaml"
        self.stateDirectory = directory + "/state"
        try writeConfig(config)
    }

    /// A config for one JSON scanner device on `broker`, delivering to `upstream`.
    public static func config(
        broker: String, upstream: String, gateway: String = "test-gw", durability: String = "process",
        devices: String? = nil, extraUpstream: String = "", sessions: Int = 1, maxEvents: Int = 200, state: String = "",
        metrics: String = "off"
    ) -> String {
        """
        gateway: { id: \(gateway), site: TEST }
        state: { dir: state, durability: \(durability)\(state) }
        floor: { url: "\(broker)", sessions: \(sessions), keepAlive: 5s }
        devices:
        \(devices ?? """
          - id: dock1-scanner
            profile: gs1-scanner
            topic: warehouse/dock1/scanner/+/scan
            set: { location: DOCK-1, mode: load }
        """)
        upstream:
          \(upstream.hasPrefix("url:") ? upstream : "url: " + upstream)
          batch: { maxEvents: \(maxEvents), maxBytes: 256KiB, linger: 20ms }
          timeout: 5s
          retry: { initial: 50ms, max: 1s }
        \(extraUpstream)
        profiles: \(TestEnvironment.devicesDirectory)
        log: { level: info, format: text }
        metrics: { listen: "\(metrics)" }
        """
    }

    public func writeConfig(_ text: String) throws {
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    public func start(environment: [String: String] = [:]) throws {
        let run = runs.withLock { runs in
            runs += 1
            return runs
        }
        let child = try ChildProcess(
            name: "agent", executable: TestEnvironment.binary, arguments: ["run", "--config", configPath],
            logPath: directory + "/agent-\(run).log", environment: environment)
        current.withLock { $0 = child }
    }

    /// Waits until the agent logged that its floor session is connected.
    public func connected(timeout: Duration = .seconds(20)) async -> Bool {
        await TestEnvironment.eventually(timeout: timeout) { log.contains("MQTT connected") }
    }

    public var log: String { current.withLock { $0 }?.log ?? "" }
    public var pid: Int32? { current.withLock { $0 }?.pid }
    public var isRunning: Bool { current.withLock { $0 }?.isRunning ?? false }

    public func signal(_ signal: Int32) { current.withLock { $0 }?.signal(signal) }

    public func kill9() async {
        let child = current.withLock { $0 }
        child?.signal(SIGKILL)
        await child?.waitForExit(timeout: .seconds(10))
    }

    /// SIGTERM and the exit status, or nil if it did not exit in time.
    public func terminate(timeout: Duration = .seconds(20)) async -> Int32? {
        let child = current.withLock { $0 }
        child?.signal(SIGTERM)
        return await child?.waitForExit(timeout: timeout)
    }

    public func stop() async {
        let child = current.withLock { $0 }
        await child?.stop()
    }

    /// The store's numbers, read from disk like `waystation status` does.
    public func stats() throws -> OutboxStats {
        try StoreReader(stateDirectory: stateDirectory).stats()
    }

    public func backlog() -> Int {
        ((try? stats())?.lanes.map(\.backlog).reduce(0, +)) ?? -1
    }
}

import WaystationCore
