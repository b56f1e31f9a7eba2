import Foundation
import Testing
import WaystationCore
import WaystationTestSupport

/// Scans in every mode through a real broker, the real agent and the reference receiver: the right event types
/// with the right subjects upstream, invalid barcodes in `rejected` per device, and every event and batch body
/// valid against the published JSON Schemas (`schemas/`, checked by `scripts/validate-events`).
@Suite("End to end: GS1 scans become canonical events", .serialized)
struct MappingEndToEndTests {
    static let devices = """
          - id: dock1-scanner
            profile: gs1-scanner
            topic: warehouse/dock1/scanner/+/scan
            set: { location: DOCK-1, mode: load }
          - id: receiving-scanner
            profile: raw-scanner
            topic: warehouse/receiving/scanner/+/raw
            set: { location: RECV-1, mode: receive }
        """

    /// A JSON scan (message id, barcode, payload mode, quantity) and what must arrive upstream: type, then
    /// subject and data fragments the event's JSON must contain.
    static let jsonScans: [(id: String, barcode: String, mode: String?, qty: Int?, type: String, expect: [String])] = [
        ("e2e-1", "]C100340063810000000018", "receive", nil, "shipment.milestone", [#""sscc":"340063810000000018""#, #""milestone":"received""#]),
        ("e2e-2", "00340063810000000025", "pick", nil, "shipment.milestone", [#""sscc":"340063810000000025""#, #""milestone":"picked""#]),
        ("e2e-3", "(00)340063810000047112", "pack", nil, "shipment.milestone", [#""milestone":"packed""#]),
        ("e2e-4", "00340063810000000018", nil, 1, "shipment.milestone", [#""location":"DOCK-1""#, #""milestone":"loaded","mode":"load""#]),
        ("e2e-5", "00340063810000000018", "depart", nil, "shipment.milestone", [#""milestone":"departed""#]),
        ("e2e-6", "(00)340063810000047112(400)PO-4711(421)27610115", "deliver", nil, "shipment.milestone",
         [#""sscc":"340063810000047112","order":"PO-4711""#, #""milestone":"delivered","shipToPostalCode":"10115","shipToCountry":"276""#]),
        ("e2e-7", "(01)14006381333938(17)270131(10)ABC-1", "receive", 2, "inventory.adjustment",
         [#""gtin":"14006381333938","lot":"ABC-1""#, #""delta":2,"expiry":"2027-01-31","mode":"receive""#]),
        ("e2e-8", "4006381333931", "pick", nil, "inventory.adjustment", [#""gtin":"04006381333931""#, #""delta":-1"#]),
        ("e2e-9", "4006381333931", "adjust", -4, "inventory.adjustment", [#""delta":-4"#]),
        ("e2e-10", "(01)94006381000010(3103)001250", "receive", nil, "inventory.adjustment",
         [#""delta":1,"measures":[{"name":"netWeight","value":1.25,"unit":"kg"}]"#]),
        ("e2e-11", "4006381333931", "count", 17, "inventory.count", [#""quantity":17,"mode":"count""#]),
        ("e2e-12", "]C1003400638100000000180204006381333931" + "3712", "count", nil, "inventory.count",
         [#""contentGtin":"04006381333931""#, #""quantity":12"#]),
        ("e2e-13", "4006381333931", nil, nil, "scan", [#""gtin":"04006381333931","location":"DOCK-1""#, #""mode":"load""#]),
        ("e2e-14", "LOC-A1", "receive", nil, "scan", [#""subject":{"location":"DOCK-1","barcode":"LOC-A1"}"#]),
    ]

    /// Invalid GS1 barcodes from the JSON scanner, with the reason each must be rejected for.
    static let jsonInvalid: [(id: String, barcode: String, reason: String)] = [
        ("e2e-bad-1", "00003456789012345675", "barcode 00003456789012345675: AI 00: SSCC check digit 5, expected 0"),
        ("e2e-bad-2", "4006381333932", "barcode 4006381333932: GTIN check digit 2, expected 1"),
        ("e2e-bad-3", "(01)04006381333931(17)271301", "barcode (01)04006381333931(17)271301: AI 17: month 13 out of range"),
    ]

    static func jsonPayload(_ scan: (id: String, barcode: String, mode: String?, qty: Int?)) -> [UInt8] {
        var object = JSONObject()
        object["barcode"] = .string(scan.barcode)
        object["qty"] = scan.qty.map { .int(Int64($0)) }
        object["mode"] = scan.mode.map(JSONValue.string)
        object["msgId"] = .string(scan.id)
        return Array(object.encoded.utf8)
    }

    /// Every test scan, JSON and raw text, as (topic, payload).
    static var messages: [(topic: String, payload: [UInt8])] {
        let dock = "warehouse/dock1/scanner/1/scan"
        let receiving = "warehouse/receiving/scanner/2/raw"
        return jsonScans.map { (dock, jsonPayload(($0.id, $0.barcode, $0.mode, $0.qty))) }
            + jsonInvalid.map { (dock, jsonPayload(($0.id, $0.barcode, nil, nil))) }
            + ["4006381333931\r\n", "00340063810000000018\r\n", "LOC-B7\r\n", "4006381333930\r\n"].map { (receiving, Array($0.utf8)) }
    }

    static let expectedEvents = jsonScans.count + 3

    /// Runs `scripts/validate-events` on `lines` (one JSON document each); returns its exit status and output.
    static func validate(_ kind: String, _ lines: [String], in directory: String) throws -> (status: Int32, output: String) {
        let file = directory + "/\(kind)s.jsonl"
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        return try TestEnvironment.run("/usr/bin/env", ["python3", TestEnvironment.packageRoot + "/scripts/validate-events", "--\(kind)", file])
    }

    @Test("Scans in every mode arrive upstream typed, with subjects; invalid barcodes are rejected per device; events match the schema")
    func scansInEveryMode() async throws {
        let metricsPort = TestEnvironment.freePort()
        let harness = try await Harness.start("mapping") { broker, receiver in
            AgentProcess.config(
                broker: broker.url, upstream: receiver.url, devices: Self.devices, metrics: "127.0.0.1:\(metricsPort)")
        }
        defer { Task { await harness.stop() } }
        try await ScanPublisher(port: harness.broker.port, clientID: "mapping").publishPayloads(Self.messages)
        #expect(await harness.delivered(Self.expectedEvents) == Self.expectedEvents)
        let events = try harness.receiver.events()
        harness.expectOrderedAndUnique(events)

        for scan in Self.jsonScans {
            guard let event = events.first(where: { $0.messageID == scan.id }) else {
                Issue.record("\(scan.id) did not arrive")
                continue
            }
            #expect(event.type == scan.type, "\(scan.id): \(event.body)")
            #expect(event.device == "dock1-scanner")
            for fragment in scan.expect { #expect(event.body.contains(fragment), "\(scan.id): \(fragment) not in \(event.body)") }
            #expect(event.body.contains(#""barcode":"# + JSONValue.string(scan.barcode).encoded), "the raw barcode travels in subject")
        }
        let raw = events.filter { $0.device == "receiving-scanner" }.map(\.body)
        #expect(raw.count == 3)
        #expect(raw.contains { $0.contains(#""type":"inventory.adjustment""#) && $0.contains(#""subject":{"gtin":"04006381333931","location":"RECV-1","barcode":"4006381333931"},"data":{"delta":1,"mode":"receive"}"#) })
        #expect(raw.contains { $0.contains(#""type":"shipment.milestone""#) && $0.contains(#""milestone":"received""#) })
        #expect(raw.contains { $0.contains(#""type":"scan""#) && $0.contains(#""barcode":"LOC-B7""#) })
        #expect(!events.contains { $0.body.contains("3456789012345675") || $0.body.contains("4006381333932") }, "no event from an invalid barcode")

        // Rejected, with the parser's reason, and counted per device.
        #expect(await TestEnvironment.eventually(timeout: .seconds(10)) { (try? harness.agent.stats().totals["rejected"]) == 4 })
        let listed = try TestEnvironment.run(TestEnvironment.binary, ["rejected", "--state-dir", harness.agent.stateDirectory])
        #expect(listed.status == 0)
        let rows = listed.output.split(separator: "\n").map(String.init)
        #expect(rows.filter { $0.contains("  dock1-scanner  ") }.count == 3, "\(listed.output)")
        #expect(rows.filter { $0.contains("  receiving-scanner  ") }.count == 1, "\(listed.output)")
        for invalid in Self.jsonInvalid {
            #expect(rows.contains { $0.contains("dock1-scanner  warehouse/dock1/scanner/1/scan  " + invalid.reason) }, "\(invalid.reason) in \(listed.output)")
        }
        #expect(rows.contains { $0.hasSuffix("receiving-scanner  warehouse/receiving/scanner/2/raw  barcode 4006381333930: GTIN check digit 0, expected 1") })
        let metrics = try TestEnvironment.run("/usr/bin/curl", ["-sf", "http://127.0.0.1:\(metricsPort)/metrics"]).output
        #expect(metrics.contains(#"waystation_inputs_rejected_total{device="dock1-scanner"} 3"#), "\(metrics)")
        #expect(metrics.contains(#"waystation_inputs_rejected_total{device="receiving-scanner"} 1"#))
        #expect(metrics.contains(#"waystation_events_accepted_total{device="dock1-scanner"} \#(Self.jsonScans.count)"#))

        // The events as the receiver stored them, against schemas/waystation.event.v1.schema.json.
        let validation = try Self.validate("event", events.map(\.body), in: harness.directory)
        #expect(validation.status == 0, "\(validation.output)")
        #expect(validation.output.contains("\(Self.expectedEvents) of \(Self.expectedEvents) events valid"), "\(validation.output)")
        await harness.stop()
    }

    @Test("Batch bodies as published upstream match schemas/waystation.batch.v1.schema.json")
    func batchBodiesOnTheWire() async throws {
        let directory = try TestEnvironment.temporaryDirectory("mapping-batch")
        let floor = try Broker(directory: try SinkHarness.subdirectory(directory, "floor"))
        let central = try Broker(directory: try SinkHarness.subdirectory(directory, "central"))
        #expect(await floor.ready())
        #expect(await central.ready())
        let topic = "waystation/test-gw/events"
        // A subscriber on the central broker prints every batch body, one per line, exactly as published.
        let capture = try ChildProcess(
            name: "mosquitto_sub", executable: "/usr/bin/stdbuf",
            arguments: ["-oL", "/usr/bin/mosquitto_sub", "-h", "127.0.0.1", "-p", "\(central.port)", "-t", topic, "-q", "1", "-d"],
            logPath: directory + "/batches.log")
        #expect(await TestEnvironment.eventually(timeout: .seconds(10)) { capture.log.contains("SUBACK") })
        let agent = try AgentProcess(
            directory: directory,
            config: AgentProcess.config(
                broker: floor.url, upstream: "url: \"\(central.url)\"\n  topic: \(topic)", devices: Self.devices, maxEvents: 5))
        try agent.start()
        #expect(await agent.connected())
        try await ScanPublisher(port: floor.port, clientID: "mapping-batch").publishPayloads(Self.messages)
        func bodies() -> [String] { capture.log.split(separator: "\n").map(String.init).filter { $0.hasPrefix(#"{"gateway":"#) } }
        let delivered = await TestEnvironment.eventually(timeout: .seconds(30)) {
            bodies().reduce(0) { $0 + $1.components(separatedBy: #""schema":"waystation.event/v1""#).count - 1 } >= Self.expectedEvents
        }
        #expect(delivered, "\(capture.log)")
        let validation = try Self.validate("batch", bodies(), in: directory)
        #expect(validation.status == 0, "\(validation.output)")
        #expect(bodies().count >= 4, "batches of at most 5 events")
        #expect(validation.output.contains("\(bodies().count) of \(bodies().count) batch bodies valid"), "\(validation.output)")
        await agent.stop()
        await capture.stop()
        await central.stop()
        await floor.stop()
    }
}
