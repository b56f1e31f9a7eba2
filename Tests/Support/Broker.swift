import Foundation

/// A real mosquitto broker on 127.0.0.1, on a free port, started and stopped by the test.
public final class Broker: Sendable {
    public let port: Int
    public let directory: String
    private let process: ChildProcess

    /// `persistent` keeps queued messages across broker restarts (on disk in `directory`).
    public init(directory: String, port: Int? = nil, persistent: Bool = false) throws {
        self.port = port ?? TestEnvironment.freePort()
        self.directory = directory
        let config = """
            listener \(self.port) 127.0.0.1
            allow_anonymous true
            max_queued_messages 0
            max_inflight_messages 20
            persistence \(persistent)
            persistence_location \(directory)/
            autosave_interval 1
            """
        try config.write(toFile: directory + "/mosquitto.conf", atomically: true, encoding: .utf8)
        // Started as root, mosquitto drops to its own user: let it write its persistence file here.
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: directory)
        process = try ChildProcess(
            name: "mosquitto", executable: "/usr/sbin/mosquitto", arguments: ["-c", directory + "/mosquitto.conf"],
            logPath: directory + "/mosquitto.log")
    }

    public var url: String { "mqtt://127.0.0.1:\(port)" }

    /// Waits until the broker accepts connections.
    public func ready() async -> Bool {
        await TestEnvironment.eventually(timeout: .seconds(10)) {
            (try? TestEnvironment.run("/usr/bin/mosquitto_pub", ["-h", "127.0.0.1", "-p", "\(port)", "-t", "probe", "-m", "x"]).status) == 0
        }
    }

    public func stop() async { await process.stop() }
}
