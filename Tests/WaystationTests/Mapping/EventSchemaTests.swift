import Foundation
import GS1
import Logging
import Testing
import WaystationCore
import WaystationTestSupport

@testable import Outbox

/// The published schemas (`schemas/`) against what the agent's own code produces in-process: every kind of
/// scan event the mapping can make, and batch bodies sealed by the real outbox with measurements from the real
/// Modbus emitter, a quota that evicts (gap events) and an unsynchronised clock. The end-to-end suite checks
/// what a real receiver got.
@Suite("Mapping: events and batch bodies against the JSON Schemas")
struct EventSchemaTests {
    static func validate(_ kind: String, _ lines: [String], label: String) throws -> (status: Int32, output: String) {
        try MappingEndToEndTests.validate(kind, lines, in: try TestEnvironment.temporaryDirectory(label))
    }

    static func canonical(_ draft: EventDraft, seq: Int64) -> String {
        let fields = draft.storedFields(gateway: "dc-east-01", site: "DC-EAST", acceptedAtMillis: 1_795_341_600_500, clockUnsynced: seq % 2 == 0)
        return CanonicalEvent.json(
            id: "019ab2c4-5a14-7d10-9a4b-5c2e8f1d0a11", stream: "6f1c2a7e-3b9d-4c1e-8f2a-1d0e9c8b7a65", lane: draft.lane, seq: seq,
            storedFields: fields)
    }

    @Test("the golden events and 5,000 generated scan events are valid waystation.event/v1")
    func mappedEvents() throws {
        var lines = (try ScannerProfileGoldenTests.allGoldenEvents()).filter { !$0.hasPrefix("rejected:") }
        let device = try CoreScanMappingTests.gs1Device(set: ["location": "DOCK-3", "mode": "load"])
        var generator = ScanMappingPropertyTests.Generator(rng: CoreSplitMix64(seed: 0x5C4E_3A))
        var types: Set<String> = []
        while lines.count < 5_000 {
            if case .success(let mapped) = ScanMapping.map(payload: generator.payload(), device: device, today: MappingFixtures.today) {
                types.insert(mapped.draft.type.rawValue)
                lines.append(Self.canonical(mapped.draft, seq: Int64(lines.count + 1)))
            }
        }
        #expect(types == ["scan", "shipment.milestone", "inventory.adjustment", "inventory.count"])
        let result = try Self.validate("event", lines, label: "schema-mapped")
        #expect(result.status == 0, "\(result.output.prefix(4000))")
        #expect(result.output.contains("5000 of 5000 events valid"))
    }

    @Test("the schema refuses events that break the contract")
    func refusesBrokenEvents() throws {
        let good = Self.canonical(
            EventDraft(type: .shipmentMilestone, device: "dock3-scanner",
                subject: JSONObject([("sscc", .string("340063810000000018")), ("barcode", .string("00340063810000000018"))]),
                data: JSONObject([("milestone", .string("loaded"))])),
            seq: 1)
        let broken = [
            good.replacingOccurrences(of: #""milestone":"loaded""#, with: #""milestone":"lost""#),
            good.replacingOccurrences(of: #""sscc":"340063810000000018","#, with: ""),
            good.replacingOccurrences(of: #""lane":"critical""#, with: #""lane":"bulk""#),
            good.replacingOccurrences(of: #""type":"shipment.milestone""#, with: #""type":"inventory.adjustment""#),
            good.replacingOccurrences(of: "\"seq\":1", with: "\"seq\":0"),
            good.replacingOccurrences(of: #""schema":"waystation.event/v1","#, with: ""),
            good.replacingOccurrences(of: #""data":{"#, with: #""data":{"expiry":"2027-02-31","#),
        ]
        #expect(try Self.validate("event", [good], label: "schema-good").status == 0)
        let result = try Self.validate("event", broken, label: "schema-broken")
        #expect(result.status == 1)
        #expect(result.output.contains("0 of \(broken.count) events valid"), "\(result.output)")
    }

    @Test("batch bodies sealed by the outbox: scans, measurements, gaps, an unsynchronised clock")
    func outboxBatches() async throws {
        let directory = try TestEnvironment.temporaryDirectory("schema-outbox")
        let outbox = try Outbox.open(
            .init(directory: directory, durability: .process, gateway: "gw-1", site: nil, maxBytes: 1 << 20, minFreeBytes: 0,
                assumeClockUnsynced: true),
            logger: Logger(label: "test"))
        let path = TestEnvironment.devicesDirectory + "/modbus-scale.yaml"
        let profile = try DeviceProfile.parse(String(contentsOfFile: path, encoding: .utf8), name: "modbus-scale", file: path)
        var emitter = MeasurementEmitter(device: ModbusDeviceBinding(
            id: "pack-scale-1", profileName: "modbus-scale", profile: try #require(profile.modbus),
            endpoint: .tcp(host: "127.0.0.1", port: 502), set: ["location": "PACK-1"]))
        let scanner = try CoreScanMappingTests.gs1Device()
        let block = ModbusReadBlock(table: .holding, address: 0, count: 3)
        // 12,000 stable weights, each 10 g from the last: 12,000 measurements, far over a 1 MiB quota.
        for chunk in stride(from: 0, to: 12_000, by: 500) {
            var inputs: [OutboxInput] = []
            for index in chunk..<(chunk + 500) {
                let bits = Float(1 + Double(index % 2) * 0.01 + Double(index % 7)).bitPattern
                let output = emitter.poll(
                    [block: [UInt16(bits >> 16), UInt16(bits & 0xFFFF), 1]], wallMillis: 1_795_341_600_000 + Int64(index),
                    now: .milliseconds(index))
                inputs += output.events.map { .event($0, dedupe: nil) }
            }
            let scan = try ScanMapping.map(payload: Array(#"{"barcode":"00340063810000000018"}"#.utf8), device: scanner, today: MappingFixtures.today).get()
            inputs.append(.event(scan.draft, dedupe: nil))
            _ = await outbox.accept(inputs)
        }
        var bodies: [String] = []
        for lane in Lane.allCases {
            while let batch = try await outbox.nextBatch(lane, limits: .init(maxEvents: 500, maxBytes: 512 << 10), gateway: "gw-1") {
                bodies.append(String(decoding: batch.body, as: UTF8.self))
                try await outbox.acknowledge(batch, refused: [])
            }
        }
        await outbox.close()
        let all = bodies.joined()
        #expect(all.contains(#""type":"gap""#), "the quota evicted measurements and announced them")
        #expect(all.contains(#""type":"measurement""#) && all.contains(#""type":"shipment.milestone""#))
        #expect(all.contains(#""clockUnsynced":true"#))
        let result = try Self.validate("batch", bodies, label: "schema-outbox")
        #expect(result.status == 0, "\(result.output.prefix(4000))")
        #expect(result.output.contains("\(bodies.count) of \(bodies.count) batch bodies valid"))
    }
}
