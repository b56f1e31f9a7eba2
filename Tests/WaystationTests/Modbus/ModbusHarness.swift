import Foundation
import Testing
import WaystationCore
import WaystationTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The reference receiver and the agent (a real process) polling Modbus devices, in one temporary directory.
/// Test-only profiles go in `DIR/profiles`.
struct ModbusHarness {
    let directory: String
    let receiver: Receiver
    let agent: AgentProcess

    /// A sensor profile that emits every change (no deadband): each new value proves a poll got through.
    static let everyChangeSensor = """
        description: test sensor, every change emitted
        transport: modbus
        registers:
          - { name: temperature, table: input, address: 0, type: int16, scale: 0.1, unit: "°C" }
          - { name: humidity, table: input, address: 1, type: uint16, scale: 0.1, unit: "%RH" }

        """

    static func start(_ label: String, devices: String, profiles: [String: String] = [:]) async throws -> ModbusHarness {
        let directory = try TestEnvironment.temporaryDirectory(label)
        try FileManager.default.createDirectory(atPath: directory + "/profiles", withIntermediateDirectories: true)
        for (name, text) in profiles {
            try text.write(toFile: directory + "/profiles/\(name).yaml", atomically: true, encoding: .utf8)
        }
        let receiver = try Receiver(directory: directory)
        #expect(await receiver.ready(), "receiver did not start: see \(directory)/receiver.log")
        let agent = try AgentProcess(directory: directory, config: config(devices: devices, receiver: receiver))
        try agent.start()
        let polling = await TestEnvironment.eventually(timeout: .seconds(20)) { agent.log.contains("Modbus polling started") }
        #expect(polling, "agent did not start polling: \(agent.log)")
        return ModbusHarness(directory: directory, receiver: receiver, agent: agent)
    }

    /// The agent config: `devices` (YAML list items) delivered to `receiver`; profiles from Devices/ and DIR/profiles.
    static func config(devices: String, receiver: Receiver) -> String {
        """
            gateway: { id: test-gw, site: TEST }
            state: { dir: state, durability: process }
            floor: { url: "mqtt://127.0.0.1:1" }
            devices:
            \(devices)
            upstream:
              url: \(receiver.url)
              batch: { maxEvents: 200, maxBytes: 256KiB, linger: 20ms }
              timeout: 5s
              retry: { initial: 50ms, max: 1s }
            profiles: [\(TestEnvironment.devicesDirectory), profiles]
            log: { level: info, format: text }

            """
    }

    /// Rewrites the config with `devices` and sends SIGHUP; returns once the agent says it reloaded.
    func reload(devices: String) async throws -> Bool {
        let reloads = agent.log.components(separatedBy: "config reloaded").count
        try agent.writeConfig(Self.config(devices: devices, receiver: receiver))
        agent.signal(SIGHUP)
        return await TestEnvironment.eventually(timeout: .seconds(10)) { agent.log.components(separatedBy: "config reloaded").count > reloads }
    }

    func stop() async {
        await agent.stop()
        await receiver.stop()
    }

    /// One delivered event, its fields picked out of the canonical JSON.
    struct Delivered: Sendable, CustomStringConvertible {
        var type: String
        var device: String
        var lane: String
        var subject: JSONObject
        var data: JSONObject

        var metric: String? { data["metric"]?.stringValue }
        var unit: String? { data["unit"]?.stringValue }
        var state: String? { data["state"]?.stringValue }
        var value: Double? {
            switch data["value"] {
            case .int(let value): Double(value)
            case .double(let value): value
            default: nil
            }
        }
        var description: String { "\(type) \(device) \(subject.encoded) \(data.encoded)" }
    }

    /// Everything the receiver holds, in arrival order.
    func delivered() -> [Delivered] {
        ((try? receiver.events()) ?? []).compactMap { event in
            guard case .object(let object)? = try? JSONParser.parse(Array(event.body.utf8)),
                case .object(let subject)? = object["subject"], case .object(let data)? = object["data"]
            else { return nil }
            return Delivered(
                type: object["type"]?.stringValue ?? "", device: object["device"]?.stringValue ?? "",
                lane: object["lane"]?.stringValue ?? "", subject: subject, data: data)
        }
    }

    func measurements(_ device: String) -> [Delivered] { delivered().filter { $0.type == "measurement" && $0.device == device } }
    func statuses(_ device: String) -> [Delivered] { delivered().filter { $0.type == "device.status" && $0.device == device } }

    /// Waits until `condition` holds for what the receiver has; returns whether it did.
    func waitFor(_ timeout: Duration = .seconds(20), _ condition: ([Delivered]) -> Bool) async -> Bool {
        await TestEnvironment.eventually(timeout: timeout, interval: .milliseconds(100)) { condition(delivered()) }
    }

    /// Rows of the `rejected` table, as `waystation rejected` prints them.
    func rejected() throws -> [String] {
        let result = try TestEnvironment.run(TestEnvironment.binary, ["rejected", "--state-dir", agent.stateDirectory, "--limit", "100"])
        return result.output.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("no rejected") }
    }
}
