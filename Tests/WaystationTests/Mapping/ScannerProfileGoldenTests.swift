import Foundation
import Testing
import WaystationCore
import WaystationTestSupport

/// Each shipped scanner profile: payloads in, the exact canonical events out (the profile's golden case).
/// The events are rendered as the outbox serialises them, with a fixed id, stream, seq and acceptance time.
@Suite("Mapping: shipped scanner profiles, golden cases")
struct ScannerProfileGoldenTests {
    static let acceptedAt: Int64 = 1_795_341_600_500  // 2026-11-22T10:00:00.500Z

    /// Maps the payloads in order; each event as its canonical JSON, each rejection as `rejected: REASON`.
    static func run(_ device: DeviceBinding, _ payloads: [String]) -> [String] {
        var seq: Int64 = 0
        return payloads.map { payload in
            switch ScanMapping.map(payload: Array(payload.utf8), device: device, today: ScanMapping.today(atMillis: acceptedAt)) {
            case .success(let mapped):
                seq += 1
                let fields = mapped.draft.storedFields(gateway: "dc-east-01", site: "DC-EAST", acceptedAtMillis: acceptedAt, clockUnsynced: false)
                return CanonicalEvent.json(
                    id: "019ab2c4-5a14-7d10-9a4b-5c2e8f1d0a1\(seq)", stream: "6f1c2a7e-3b9d-4c1e-8f2a-1d0e9c8b7a65",
                    lane: mapped.draft.lane, seq: seq, storedFields: fields)
            case .failure(let rejection):
                return "rejected: \(rejection.reason)"
            }
        }
    }

    /// Both profiles' golden output, for the schema test.
    static func allGoldenEvents() throws -> [String] {
        run(try CoreScanMappingTests.gs1Device(set: ["location": "DOCK-3", "mode": "load"]), gs1ScannerPayloads)
            + run(try CoreScanMappingTests.rawDevice(), rawScannerPayloads)
    }

    static let gs1ScannerPayloads = [
        #"{"barcode": "]C100340063810000000018", "qty": 1, "ts": "2026-11-22T10:00:00.123Z", "msgId": "sc-1-4711"}"#,
        #"{"barcode": "(01)14006381333938(17)270131(10)ABC-1", "qty": 2, "mode": "receive", "location": "RECV-2", "msgId": "sc-1-4712"}"#,
        #"{"barcode": "4006381333931", "mode": "pick", "msgId": "sc-1-4713"}"#,
        #"{"barcode": "4006381333931", "mode": "count", "qty": "17", "msgId": "sc-1-4714"}"#,
        #"{"barcode": "LOC-A1", "msgId": "sc-1-4715"}"#,
        #"{"barcode": "00003456789012345675", "msgId": "sc-1-4716"}"#,
    ]

    static let gs1ScannerEvents = [
        #"{"id":"019ab2c4-5a14-7d10-9a4b-5c2e8f1d0a11","stream":"6f1c2a7e-3b9d-4c1e-8f2a-1d0e9c8b7a65","lane":"critical","seq":1,"schema":"waystation.event/v1","type":"shipment.milestone","gateway":"dc-east-01","site":"DC-EAST","device":"dock3-scanner","occurredAt":"2026-11-22T10:00:00.123Z","acceptedAt":"2026-11-22T10:00:00.500Z","subject":{"sscc":"340063810000000018","location":"DOCK-3","barcode":"]C100340063810000000018"},"data":{"milestone":"loaded","mode":"load","messageId":"sc-1-4711"}}"#,
        #"{"id":"019ab2c4-5a14-7d10-9a4b-5c2e8f1d0a12","stream":"6f1c2a7e-3b9d-4c1e-8f2a-1d0e9c8b7a65","lane":"critical","seq":2,"schema":"waystation.event/v1","type":"inventory.adjustment","gateway":"dc-east-01","site":"DC-EAST","device":"dock3-scanner","occurredAt":"2026-11-22T10:00:00.500Z","acceptedAt":"2026-11-22T10:00:00.500Z","subject":{"gtin":"14006381333938","lot":"ABC-1","location":"RECV-2","barcode":"(01)14006381333938(17)270131(10)ABC-1"},"data":{"delta":2,"expiry":"2027-01-31","mode":"receive","messageId":"sc-1-4712"}}"#,
        #"{"id":"019ab2c4-5a14-7d10-9a4b-5c2e8f1d0a13","stream":"6f1c2a7e-3b9d-4c1e-8f2a-1d0e9c8b7a65","lane":"critical","seq":3,"schema":"waystation.event/v1","type":"inventory.adjustment","gateway":"dc-east-01","site":"DC-EAST","device":"dock3-scanner","occurredAt":"2026-11-22T10:00:00.500Z","acceptedAt":"2026-11-22T10:00:00.500Z","subject":{"gtin":"04006381333931","location":"DOCK-3","barcode":"4006381333931"},"data":{"delta":-1,"mode":"pick","messageId":"sc-1-4713"}}"#,
        #"{"id":"019ab2c4-5a14-7d10-9a4b-5c2e8f1d0a14","stream":"6f1c2a7e-3b9d-4c1e-8f2a-1d0e9c8b7a65","lane":"critical","seq":4,"schema":"waystation.event/v1","type":"inventory.count","gateway":"dc-east-01","site":"DC-EAST","device":"dock3-scanner","occurredAt":"2026-11-22T10:00:00.500Z","acceptedAt":"2026-11-22T10:00:00.500Z","subject":{"gtin":"04006381333931","location":"DOCK-3","barcode":"4006381333931"},"data":{"quantity":17,"mode":"count","messageId":"sc-1-4714"}}"#,
        #"{"id":"019ab2c4-5a14-7d10-9a4b-5c2e8f1d0a15","stream":"6f1c2a7e-3b9d-4c1e-8f2a-1d0e9c8b7a65","lane":"critical","seq":5,"schema":"waystation.event/v1","type":"scan","gateway":"dc-east-01","site":"DC-EAST","device":"dock3-scanner","occurredAt":"2026-11-22T10:00:00.500Z","acceptedAt":"2026-11-22T10:00:00.500Z","subject":{"location":"DOCK-3","barcode":"LOC-A1"},"data":{"mode":"load","messageId":"sc-1-4715"}}"#,
        #"rejected: barcode 00003456789012345675: AI 00: SSCC check digit 5, expected 0"#,
    ]

    @Test("gs1-scanner: JSON payloads in every kind, one invalid SSCC")
    func gs1Scanner() throws {
        let device = try CoreScanMappingTests.gs1Device(set: ["location": "DOCK-3", "mode": "load"])
        let events = Self.run(device, Self.gs1ScannerPayloads)
        #expect(events == Self.gs1ScannerEvents, "\(events.joined(separator: "\n"))")
    }

    static let rawScannerPayloads = [
        "4006381333931\r\n",
        "]C1011400638133393817270131" + "10ABC-1\r\n",
        "00340063810000000018\n",
        "LOC-A1\r\n",
        "4006381333932\r\n",
    ]

    static let rawScannerEvents = [
        #"{"id":"019ab2c4-5a14-7d10-9a4b-5c2e8f1d0a11","stream":"6f1c2a7e-3b9d-4c1e-8f2a-1d0e9c8b7a65","lane":"critical","seq":1,"schema":"waystation.event/v1","type":"inventory.adjustment","gateway":"dc-east-01","site":"DC-EAST","device":"receiving-scanner","occurredAt":"2026-11-22T10:00:00.500Z","acceptedAt":"2026-11-22T10:00:00.500Z","subject":{"gtin":"04006381333931","location":"RECV-1","barcode":"4006381333931"},"data":{"delta":1,"mode":"receive"}}"#,
        #"{"id":"019ab2c4-5a14-7d10-9a4b-5c2e8f1d0a12","stream":"6f1c2a7e-3b9d-4c1e-8f2a-1d0e9c8b7a65","lane":"critical","seq":2,"schema":"waystation.event/v1","type":"inventory.adjustment","gateway":"dc-east-01","site":"DC-EAST","device":"receiving-scanner","occurredAt":"2026-11-22T10:00:00.500Z","acceptedAt":"2026-11-22T10:00:00.500Z","subject":{"gtin":"14006381333938","lot":"ABC-1","location":"RECV-1","barcode":"]C101140063813339381727013110ABC-1"},"data":{"delta":1,"expiry":"2027-01-31","mode":"receive"}}"#,
        #"{"id":"019ab2c4-5a14-7d10-9a4b-5c2e8f1d0a13","stream":"6f1c2a7e-3b9d-4c1e-8f2a-1d0e9c8b7a65","lane":"critical","seq":3,"schema":"waystation.event/v1","type":"shipment.milestone","gateway":"dc-east-01","site":"DC-EAST","device":"receiving-scanner","occurredAt":"2026-11-22T10:00:00.500Z","acceptedAt":"2026-11-22T10:00:00.500Z","subject":{"sscc":"340063810000000018","location":"RECV-1","barcode":"00340063810000000018"},"data":{"milestone":"received","mode":"receive"}}"#,
        #"{"id":"019ab2c4-5a14-7d10-9a4b-5c2e8f1d0a14","stream":"6f1c2a7e-3b9d-4c1e-8f2a-1d0e9c8b7a65","lane":"critical","seq":4,"schema":"waystation.event/v1","type":"scan","gateway":"dc-east-01","site":"DC-EAST","device":"receiving-scanner","occurredAt":"2026-11-22T10:00:00.500Z","acceptedAt":"2026-11-22T10:00:00.500Z","subject":{"location":"RECV-1","barcode":"LOC-A1"},"data":{"mode":"receive"}}"#,
        #"rejected: barcode 4006381333932: GTIN check digit 2, expected 1"#,
    ]

    @Test("raw-scanner: text payloads at a receiving door, one wrong check digit")
    func rawScanner() throws {
        let device = try CoreScanMappingTests.rawDevice()
        let events = Self.run(device, Self.rawScannerPayloads)
        #expect(events == Self.rawScannerEvents, "\(events.joined(separator: "\n"))")
    }
}
