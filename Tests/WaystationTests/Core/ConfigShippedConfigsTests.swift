import Foundation
import Testing

@testable import Agent
@testable import WaystationCore

/// The configs the project ships must validate cleanly and mean what they say.
@Suite("Core: shipped configs")
struct CoreShippedConfigsTests {
    @Test("Config/demo.yaml and Config/waystation.yaml validate with zero issues",
          arguments: ["demo.yaml", "waystation.yaml"])
    func shippedConfigIsValid(_ name: String) {
        let path = CoreTestPaths.configs.appendingPathComponent(name).path
        #expect(CoreConfigCorpus.issues(at: path).isEmpty)
    }

    @Test("demo.yaml: relative paths resolve against the file, values are read as written")
    func demoConfigValues() throws {
        let path = CoreTestPaths.configs.appendingPathComponent("demo.yaml").path
        let config = try ConfigLoader(path: path).validate()
        let root = CoreTestPaths.packageRoot.path
        #expect(config.gateway == AgentConfig.Gateway(id: "demo-gw-01", site: "DEMO"))
        #expect(config.state.directory == root + "/.demo/state")
        #expect(config.state.durability == .process)
        #expect(config.state.maxBytes == 2 << 30)  // default
        #expect(config.floor.url == BrokerURL("mqtt://127.0.0.1:18830"))
        #expect(config.floor.url.port == 18830)
        #expect(config.floor.sessions == 1)
        #expect(config.floor.clientId == "waystation-demo-gw-01")
        #expect(config.profileDirectories == [CoreTestPaths.devices.path])
        #expect(config.devices.map(\.id) == ["dock1-scanner", "receiving-scanner"])
        #expect(config.devices.map(\.profileName) == ["gs1-scanner", "raw-scanner"])
        #expect(config.devices.map(\.profile.payload.format) == [.json, .text])
        #expect(config.devices[0].topic == "warehouse/dock1/scanner/+/scan")
        #expect(config.devices[0].set == ["location": "DOCK-1", "mode": "load"])
        #expect(config.devices[1].set == ["location": "RECV-1", "mode": "receive"])
        #expect(config.upstream.url == "http://127.0.0.1:18080/v1/events")
        #expect(config.upstream.batch == AgentConfig.Batch(maxEvents: 500, maxBytes: 512 * 1024, linger: .milliseconds(100)))
        #expect(config.upstream.timeout == .seconds(10))
        #expect(config.upstream.retry == AgentConfig.Retry(initial: .milliseconds(200), max: .seconds(10)))
        #expect(config.log == AgentConfig.LogSettings(level: .info, format: .text))
    }

    @Test("waystation.yaml: the installed template reads as documented")
    func installedTemplateValues() throws {
        let path = CoreTestPaths.configs.appendingPathComponent("waystation.yaml").path
        let config = try ConfigLoader(path: path).validate()
        #expect(config.gateway.id == "gateway-01")
        #expect(config.gateway.site == nil)
        #expect(config.state.directory == "/var/lib/waystation")
        #expect(config.state.maxBytes == 2 * 1024 * 1024 * 1024)
        #expect(config.state.durability == .power)
        #expect(config.devices.isEmpty)
        #expect(config.upstream.url == "https://sync.example.com/v1/events")
        #expect(config.upstream.retry == AgentConfig.Retry(initial: .milliseconds(500), max: .seconds(60)))
        #expect(config.profileDirectories == ["/usr/share/waystation/devices", "/etc/waystation/devices"])
        #expect(config.log == AgentConfig.LogSettings(level: .info, format: .json))
    }

    @Test("the shipped device profiles parse and describe their payloads")
    func shippedProfiles() throws {
        let gs1URL = CoreTestPaths.devices.appendingPathComponent("gs1-scanner.yaml")
        let gs1 = try DeviceProfile.parse(CoreTestPaths.read(gs1URL), name: "gs1-scanner", file: gs1URL.path)
        #expect(gs1.payload.format == .json)
        #expect(gs1.payload.barcode?.description == "/barcode")
        #expect(gs1.payload.quantity?.description == "/qty")
        #expect(gs1.payload.occurredAt?.description == "/ts")
        #expect(gs1.payload.messageID?.description == "/msgId")
        #expect(gs1.payload.mode?.description == "/mode")
        #expect(gs1.payload.location?.description == "/location")
        #expect(gs1.payload.maxBytes == 64 * 1024)

        let rawURL = CoreTestPaths.devices.appendingPathComponent("raw-scanner.yaml")
        let raw = try DeviceProfile.parse(CoreTestPaths.read(rawURL), name: "raw-scanner", file: rawURL.path)
        #expect(raw.payload.format == .text)
        #expect(raw.payload.barcode == nil)
        #expect(raw.payload.maxBytes == 4 * 1024)
    }
}
