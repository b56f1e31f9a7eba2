import Fleet
import Foundation
import Testing
import WaystationTestSupport

/// A broker (floor and control on one loopback mosquitto), a receiver, an agent with a `control` section,
/// and the central side that pushes to it.
struct FleetHarness {
    static let gateway = "test-gw"
    let directory: String
    let broker: Broker
    let receiver: Receiver
    let agent: AgentProcess
    let centre: ControlCentre

    static func start(_ label: String, probation: String = "3s", devices: String? = nil) async throws -> FleetHarness {
        let directory = try TestEnvironment.temporaryDirectory("fleet-" + label)
        let broker = try Broker(directory: directory)
        let receiver = try Receiver(directory: directory)
        #expect(await broker.ready(), "mosquitto did not start: see \(directory)/mosquitto.log")
        #expect(await receiver.ready(), "receiver did not start: see \(directory)/receiver.log")
        let centre = try await ControlCentre(port: broker.port, prefix: "waystation/\(gateway)")
        let config = AgentProcess.config(broker: broker.url, upstream: receiver.url, devices: devices)
            + "\n" + centre.controlSection(broker: broker.url, probation: probation) + "\n"
        let agent = try AgentProcess(directory: directory, config: config)
        try agent.start()
        let harness = FleetHarness(directory: directory, broker: broker, receiver: receiver, agent: agent, centre: centre)
        #expect(await harness.online(), "agent did not report online: \(agent.log)")
        return harness
    }

    /// Waits for a `status` heartbeat that says online.
    func online(timeout: Duration = .seconds(20)) async -> Bool {
        await TestEnvironment.eventually(timeout: timeout) { (centre.status?["state"] as? String) == "online" }
    }

    /// A config for this gateway as the centre would push it: the standard test config, `devices` swapped.
    func pushedConfig(devices: String? = nil, upstream: String? = nil) -> String {
        AgentProcess.config(broker: broker.url, upstream: upstream ?? receiver.url, devices: devices)
    }

    /// Pushes `message` and waits for the report that follows it.
    func push(_ message: DesiredConfig, timeout: Duration = .seconds(30)) async throws -> ConfigReport? {
        let index = centre.reports.count
        try await centre.push(message)
        return await centre.report(index, timeout: timeout)
    }

    func stop() async {
        await centre.stop()
        await agent.stop()
        await receiver.stop()
        await broker.stop()
    }

    /// Events delivered by `device`.
    func delivered(from device: String) -> Int {
        ((try? receiver.events()) ?? []).filter { $0.device == device }.count
    }

    /// A JSON scanner at dock `dock` on warehouse/dock<N>/scanner/+/scan, as a `devices:` entry.
    static func scanner(dock: Int, mode: String = "load") -> String {
        """
          - id: dock\(dock)-scanner
            profile: gs1-scanner
            topic: warehouse/dock\(dock)/scanner/+/scan
            set: { location: DOCK-\(dock), mode: \(mode) }
        """
    }

    /// The standard dock1 scanner and `dock2-scanner`.
    static let twoScanners = scanner(dock: 1) + "\n" + scanner(dock: 2, mode: "receive")
}
