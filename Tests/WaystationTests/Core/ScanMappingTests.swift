import Foundation
import GS1
import Testing

@testable import WaystationCore

/// Device payloads mapped through the shipped profiles (Devices/gs1-scanner.yaml, Devices/raw-scanner.yaml).
@Suite("Core: ScanMapping")
struct CoreScanMappingTests {
    static func profile(_ name: String) throws -> DeviceProfile {
        let url = CoreTestPaths.devices.appendingPathComponent("\(name).yaml")
        return try DeviceProfile.parse(CoreTestPaths.read(url), name: name, file: url.path)
    }

    static func gs1Device(set: [String: String] = ["location": "DOCK-3", "mode": "load"]) throws -> DeviceBinding {
        DeviceBinding(
            id: "dock3-scanner", profileName: "gs1-scanner", profile: try profile("gs1-scanner"),
            topic: "warehouse/dock3/scanner/+/scan", set: set)
    }

    static func rawDevice() throws -> DeviceBinding {
        DeviceBinding(
            id: "receiving-scanner", profileName: "raw-scanner", profile: try profile("raw-scanner"),
            topic: "warehouse/receiving/scanner/+/raw", set: ["location": "RECV-1", "mode": "receive"])
    }

    /// The day the tests scan on: two-digit years 77-99 are 19xx, 00-76 are 20xx.
    static let today = GS1Date(year: 2026, month: 11, day: 22)

    static func map(_ payload: String, _ device: DeviceBinding) -> Result<MappedMessage, Rejection> {
        ScanMapping.map(payload: Array(payload.utf8), device: device, today: today)
    }

    static func map(bytes payload: [UInt8], _ device: DeviceBinding) -> Result<MappedMessage, Rejection> {
        ScanMapping.map(payload: payload, device: device, today: today)
    }

    static func rejection(_ result: Result<MappedMessage, Rejection>) -> String? {
        if case .failure(let rejection) = result { return rejection.reason }
        return nil
    }

    @Test("a full GS1 scanner payload: an SSCC at a loading dock becomes a shipment milestone")
    func validPayload() throws {
        let payload = #"{"barcode": "]C100340063810000000018", "qty": 2, "ts": "2026-11-22T10:00:00.123Z", "msgId": "sc-1-4711"}"#
        let mapped = try Self.map(payload, Self.gs1Device()).get()
        #expect(mapped.messageID == "sc-1-4711")
        #expect(mapped.draft.type == .shipmentMilestone)
        #expect(mapped.draft.lane == .critical)
        #expect(mapped.draft.device == "dock3-scanner")
        #expect(mapped.draft.occurredAtMillis == 1_795_341_600_123)
        #expect(mapped.draft.subject.encoded == #"{"sscc":"340063810000000018","location":"DOCK-3","barcode":"]C100340063810000000018"}"#)
        #expect(mapped.draft.data.encoded == #"{"milestone":"loaded","mode":"load","messageId":"sc-1-4711"}"#)
    }

    @Test("only the barcode is required; occurredAt is left to acceptance time; no mode means a scan")
    func minimalPayload() throws {
        let mapped = try Self.map(#"{"barcode": "4006381333931"}"#, Self.gs1Device(set: [:])).get()
        #expect(mapped.messageID == nil)
        #expect(mapped.draft.type == .scan)
        #expect(mapped.draft.occurredAtMillis == nil)
        #expect(mapped.draft.subject.encoded == #"{"gtin":"04006381333931","barcode":"4006381333931"}"#)
        #expect(mapped.draft.data.isEmpty)
    }

    @Test("payload mode and location win over the device's set: values; uom comes from set:")
    func payloadOverridesSet() throws {
        let device = try Self.gs1Device(set: ["location": "DOCK-3", "mode": "load", "uom": "EA"])
        let mapped = try Self.map(#"{"barcode": "4006381333931", "mode": "receive", "location": "DOCK-9"}"#, device).get()
        #expect(mapped.draft.type == .inventoryAdjustment)
        #expect(mapped.draft.data.encoded == #"{"delta":1,"uom":"EA","mode":"receive"}"#)
        #expect(mapped.draft.subject["location"] == .string("DOCK-9"))
    }

    @Test("numeric message ids and quantities in strings are accepted")
    func lenientNumbers() throws {
        let mapped = try Self.map(#"{"barcode": "4006381333931", "msgId": 4711, "qty": "3"}"#, Self.gs1Device()).get()
        #expect(mapped.messageID == "4711")
        #expect(mapped.draft.data["quantity"] == .int(3))
        let fractional = try Self.map(#"{"barcode": "x", "qty": 1.5}"#, Self.gs1Device()).get()
        #expect(fractional.draft.data["quantity"] == .double(1.5))
    }

    @Test("an offset timestamp is converted to UTC")
    func offsetTimestamp() throws {
        let mapped = try Self.map(#"{"barcode": "x", "ts": "2026-11-22T11:00:00.123+01:00"}"#, Self.gs1Device()).get()
        #expect(mapped.draft.occurredAtMillis == 1_795_341_600_123)
    }

    @Test
    func microsecondTimestamp() throws {
        let mapped = try Self.map(#"{"barcode": "x", "ts": "2026-11-22T10:00:00.123456Z"}"#, Self.gs1Device()).get()
        #expect(mapped.draft.occurredAtMillis == 1_795_341_600_123)
    }

    @Test("malformed payloads are rejected with a precise reason", arguments: [
        (#"{"barcode": "x""#, "invalid JSON at byte 15: unterminated object"),
        ("", "invalid JSON at byte 0: unexpected end of input"),
        (#"["4006381333931"]"#, "payload is not a JSON object"),
        (#""4006381333931""#, "payload is not a JSON object"),
        (#"{"code": "4006381333931"}"#, "barcode (/barcode) is missing"),
        (#"{"barcode": null}"#, "barcode (/barcode) is missing"),
        (#"{"barcode": 4006381333931}"#, "barcode (/barcode) must be a string, got a number"),
        (#"{"barcode": ["x"]}"#, "barcode (/barcode) must be a string, got an array"),
        (#"{"barcode": ""}"#, "barcode is empty"),
        (#"{"barcode": "x", "qty": "lots"}"#, "quantity (/qty): 'lots' is not a number"),
        (#"{"barcode": "x", "qty": true}"#, "quantity (/qty) must be a number, got a boolean"),
        (#"{"barcode": "x", "qty": "nan"}"#, "quantity (/qty): 'nan' is not a number"),
        (#"{"barcode": "x", "ts": "yesterday"}"#, "occurredAt (/ts): 'yesterday' is not an RFC 3339 timestamp"),
        (#"{"barcode": "x", "ts": "2026-11-22 10:00"}"#, "occurredAt (/ts): '2026-11-22 10:00' is not an RFC 3339 timestamp"),
        (#"{"barcode": "x", "ts": 1795341600123}"#, "occurredAt (/ts) must be a string, got a number"),
        (#"{"barcode": "x", "msgId": {"a": 1}}"#, "messageId (/msgId) must be a string, got an object"),
        (#"{"barcode": "x", "mode": 1}"#, "mode (/mode) must be a string, got a number"),
    ])
    func rejected(_ payload: String, _ reason: String) throws {
        #expect(Self.rejection(Self.map(payload, try Self.gs1Device())) == reason)
    }

    @Test("a barcode over 256 bytes is rejected")
    func longBarcode() throws {
        let payload = #"{"barcode": ""# + String(repeating: "X", count: 257) + #""}"#
        #expect(Self.rejection(Self.map(payload, try Self.gs1Device())) == "barcode longer than 256 bytes")
        let fits = #"{"barcode": ""# + String(repeating: "X", count: 256) + #""}"#
        #expect(Self.rejection(Self.map(fits, try Self.gs1Device())) == nil)
    }

    @Test("a payload over the profile's maxBytes is rejected unread")
    func oversizedPayload() throws {
        let device = try Self.gs1Device()
        let limit = device.profile.payload.maxBytes
        #expect(limit == 64 * 1024)
        // 1 MiB of well-formed JSON: the size alone must reject it.
        let big = #"{"barcode": "x", "pad": ""# + String(repeating: "a", count: 1 << 20) + #""}"#
        #expect(Self.rejection(Self.map(big, device)) == "payload too large: \(big.utf8.count) bytes, limit \(limit)")
        // Exactly at the limit is accepted.
        let prefix = #"{"barcode": "x", "pad": ""#
        let exact = prefix + String(repeating: "a", count: limit - prefix.utf8.count - 2) + #""}"#
        #expect(exact.utf8.count == limit)
        #expect(Self.rejection(Self.map(exact, device)) == nil)
    }

    @Test("raw text scanner: trailing CR/LF is trimmed, set: values apply")
    func rawPayload() throws {
        let mapped = try Self.map("4006381333931\r\n", Self.rawDevice()).get()
        #expect(mapped.messageID == nil)
        #expect(mapped.draft.device == "receiving-scanner")
        #expect(mapped.draft.type == .inventoryAdjustment)
        #expect(mapped.draft.subject.encoded == #"{"gtin":"04006381333931","location":"RECV-1","barcode":"4006381333931"}"#)
        #expect(mapped.draft.data.encoded == #"{"delta":1,"mode":"receive"}"#)
        #expect(mapped.draft.occurredAtMillis == nil)
        // A JSON-looking raw payload is still just text: not GS1, so a plain scan.
        let json = try Self.map(#"{"barcode": "x"}"#, Self.rawDevice()).get()
        #expect(json.draft.type == .scan)
        #expect(json.draft.subject["barcode"] == .string(#"{"barcode": "x"}"#))
    }

    @Test("raw text scanner: rejections")
    func rawRejections() throws {
        let device = try Self.rawDevice()
        #expect(Self.rejection(Self.map(bytes: [0x30, 0xFF, 0xFE, 0x0D, 0x0A], device)) == "payload is not UTF-8 text")
        #expect(Self.rejection(Self.map("\r\n", device)) == "barcode is empty")
        #expect(Self.rejection(Self.map("", device)) == "barcode is empty")
        let limit = device.profile.payload.maxBytes
        #expect(limit == 4 * 1024)
        let tooBig = [UInt8](repeating: 0x39, count: limit + 1)
        #expect(Self.rejection(Self.map(bytes: tooBig, device)) == "payload too large: \(limit + 1) bytes, limit \(limit)")
    }
}
