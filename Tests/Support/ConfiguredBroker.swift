import Foundation

/// A real mosquitto broker on 127.0.0.1 with an anonymous plain listener on `port` for the simulated devices
/// (and probes), plus listeners a test describes in mosquitto.conf syntax (settings are per listener).
public final class ConfiguredBroker: Sendable {
    public let port: Int
    public let directory: String
    private let process: ChildProcess

    public init(directory: String, name: String, listeners: String) throws {
        port = TestEnvironment.freePort()
        self.directory = directory
        let config = """
            per_listener_settings true
            max_queued_messages 0
            persistence false
            listener \(port) 127.0.0.1
            allow_anonymous true
            \(listeners)
            """
        try config.write(toFile: "\(directory)/\(name).conf", atomically: true, encoding: .utf8)
        // Started as root, mosquitto drops to its own user: it must be able to read what is in here.
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: directory)
        process = try ChildProcess(
            name: name, executable: "/usr/sbin/mosquitto", arguments: ["-c", "\(directory)/\(name).conf"], logPath: "\(directory)/\(name).log")
    }

    /// Waits until the plain listener accepts connections (mosquitto opens all listeners before that).
    public func ready() async -> Bool {
        await TestEnvironment.eventually(timeout: .seconds(10)) {
            (try? TestEnvironment.run("/usr/bin/mosquitto_pub", ["-h", "127.0.0.1", "-p", "\(port)", "-t", "probe", "-m", "x"]).status) == 0
        }
    }

    public var log: String { process.log }

    public func stop() async { await process.stop() }
}
