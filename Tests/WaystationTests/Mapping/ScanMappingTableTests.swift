import GS1
import Testing

@testable import WaystationCore

/// Mode × barcode kind → event type, and the exact subject and data of each kind of event (DESIGN.md 3.4).
@Suite("Mapping: mode × barcode → event")
struct ScanMappingTableTests {
    typealias Labels = MappingFixtures.Labels

    static let modes: [String?] = ["receive", "pick", "pack", "load", "depart", "deliver", "adjust", "count", nil, "inspect"]

    /// One row per barcode kind, one letter per mode in `modes` order: M milestone, A adjustment, C count,
    /// S scan, R rejected.
    static let matrix: [(barcode: String, types: String)] = [
        (Labels.sscc, "MMMMMMSCSS"),
        (Labels.pallet, "MMMMMMSCSS"),
        (Labels.ean13, "AASSSSACSS"),
        (Labels.caseLabel, "AASSSSACSS"),
        (Labels.variableMeasure, "AASSSSACSS"),
        (Labels.gtinWithCount, "AASSSSACSS"),
        (Labels.lotOnly, "SSSSSSSSSS"),
        (Labels.glnLocation, "SSSSSSSSSS"),
        (Labels.location, "SSSSSSSSSS"),
        (Labels.badSSCC, "RRRRRRRRRR"),
    ]

    static func letter(_ result: Result<MappedMessage, Rejection>) -> Character {
        switch result {
        case .failure: "R"
        case .success(let mapped):
            switch mapped.draft.type {
            case .shipmentMilestone: "M"
            case .inventoryAdjustment: "A"
            case .inventoryCount: "C"
            case .scan: "S"
            default: "?"
            }
        }
    }

    @Test("the event type of every barcode kind in every mode", arguments: matrix)
    func types(_ barcode: String, _ expected: String) throws {
        let device = try MappingFixtures.device()
        let found = String(Self.modes.map { Self.letter(MappingFixtures.map(barcode, mode: $0, device: device)) })
        #expect(found == expected, "modes: receive pick pack load depart deliver adjust count none inspect")
    }

    @Test("the mode comes from the device's set: when the payload has none, and a payload mode wins")
    func modeSources() throws {
        let loading = try MappingFixtures.device(set: ["location": "DOCK-1", "mode": "load"])
        #expect(MappingFixtures.render(MappingFixtures.map(Labels.sscc, device: loading)).hasPrefix("shipment.milestone"))
        #expect(MappingFixtures.render(MappingFixtures.map(Labels.sscc, mode: "deliver", device: loading)).contains(#""milestone":"delivered""#))
        // Modes are matched without regard to case; data.mode carries the recognised mode.
        let upper = MappingFixtures.render(MappingFixtures.map(Labels.ean13, mode: " Receive ", device: loading))
        #expect(upper == #"inventory.adjustment {"gtin":"04006381333931","location":"DOCK-1","barcode":"4006381333931"} {"delta":1,"mode":"receive"}"#)
        // An unknown mode is kept as given, and the scan stays a scan.
        let unknown = MappingFixtures.render(MappingFixtures.map(Labels.ean13, mode: "Inspect", device: loading))
        #expect(unknown == #"scan {"gtin":"04006381333931","location":"DOCK-1","barcode":"4006381333931"} {"mode":"Inspect"}"#)
    }

    /// (mode, barcode, quantity) → the exact event or rejection.
    static let rows: [(mode: String?, barcode: String, quantity: String?, expected: String)] = [
        // Shipment milestones: the SSCC and everything else on the label.
        ("load", Labels.sscc, nil,
         #"shipment.milestone {"sscc":"340063810000000018","location":"DOCK-3","barcode":"00340063810000000018"} {"milestone":"loaded","mode":"load"}"#),
        ("receive", Labels.pallet, "1",
         #"shipment.milestone {"sscc":"340063810000000018","contentGtin":"04006381333931","location":"DOCK-3","barcode":"]C10034006381000000001802040063813339313712"} {"milestone":"received","count":12,"mode":"receive"}"#),
        ("pick", Labels.sscc, nil, #"shipment.milestone {"sscc":"340063810000000018","location":"DOCK-3","barcode":"00340063810000000018"} {"milestone":"picked","mode":"pick"}"#),
        ("pack", Labels.sscc, nil, #"shipment.milestone {"sscc":"340063810000000018","location":"DOCK-3","barcode":"00340063810000000018"} {"milestone":"packed","mode":"pack"}"#),
        ("depart", Labels.sscc, nil, #"shipment.milestone {"sscc":"340063810000000018","location":"DOCK-3","barcode":"00340063810000000018"} {"milestone":"departed","mode":"depart"}"#),
        ("deliver", "(00)340063810000047112(400)PO-4711(421)27610115(410)4006381000017", nil,
         #"shipment.milestone {"sscc":"340063810000047112","order":"PO-4711","gln":{"shipTo":"4006381000017"},"location":"DOCK-3","barcode":"(00)340063810000047112(400)PO-4711(421)27610115(410)4006381000017"} {"milestone":"delivered","shipToPostalCode":"10115","shipToCountry":"276","mode":"deliver"}"#),
        // Inventory adjustments: delta from the payload, else AI 30/37, else 1; the sign from the mode.
        ("receive", Labels.ean13, nil, #"inventory.adjustment {"gtin":"04006381333931","location":"DOCK-3","barcode":"4006381333931"} {"delta":1,"mode":"receive"}"#),
        ("receive", Labels.ean13, "3", #"inventory.adjustment {"gtin":"04006381333931","location":"DOCK-3","barcode":"4006381333931"} {"delta":3,"mode":"receive"}"#),
        ("pick", Labels.ean13, "3", #"inventory.adjustment {"gtin":"04006381333931","location":"DOCK-3","barcode":"4006381333931"} {"delta":-3,"mode":"pick"}"#),
        ("pick", Labels.ean13, "-3", #"inventory.adjustment {"gtin":"04006381333931","location":"DOCK-3","barcode":"4006381333931"} {"delta":-3,"mode":"pick"}"#),
        ("adjust", Labels.ean13, "-2.5", #"inventory.adjustment {"gtin":"04006381333931","location":"DOCK-3","barcode":"4006381333931"} {"delta":-2.5,"mode":"adjust"}"#),
        ("adjust", Labels.ean13, "4", #"inventory.adjustment {"gtin":"04006381333931","location":"DOCK-3","barcode":"4006381333931"} {"delta":4,"mode":"adjust"}"#),
        ("receive", Labels.caseLabel, nil,
         #"inventory.adjustment {"gtin":"14006381333938","lot":"ABC-1","location":"DOCK-3","barcode":"]C101140063813339381727013110ABC-1"} {"delta":1,"expiry":"2027-01-31","mode":"receive"}"#),
        ("pick", Labels.gtinWithCount, nil,
         #"inventory.adjustment {"gtin":"04006381333931","lot":"L-7","location":"DOCK-3","barcode":"]d201040063813339313024\u001d10L-7"} {"delta":-24,"variableCount":24,"mode":"pick"}"#),
        ("receive", Labels.variableMeasure, nil,
         #"inventory.adjustment {"gtin":"94006381000010","location":"DOCK-3","barcode":"(01)94006381000010(3103)001250(15)261130"} {"delta":1,"measures":[{"name":"netWeight","value":1.25,"unit":"kg"}],"bestBefore":"2026-11-30","mode":"receive"}"#),
        ("receive", "(01)04006381333931(21)SN-0042(11)260200(13)260215", nil,
         #"inventory.adjustment {"gtin":"04006381333931","serial":"SN-0042","location":"DOCK-3","barcode":"(01)04006381333931(21)SN-0042(11)260200(13)260215"} {"delta":1,"productionDate":"2026-02-28","packagingDate":"2026-02-15","mode":"receive"}"#),
        ("receive", Labels.ean13, "0", "rejected: quantity 0: an inventory adjustment needs a quantity other than 0 (mode receive)"),
        // Inventory counts: the quantity counted.
        ("count", Labels.ean13, "17", #"inventory.count {"gtin":"04006381333931","location":"DOCK-3","barcode":"4006381333931"} {"quantity":17,"mode":"count"}"#),
        ("count", Labels.ean13, nil, #"inventory.count {"gtin":"04006381333931","location":"DOCK-3","barcode":"4006381333931"} {"quantity":1,"mode":"count"}"#),
        ("count", Labels.ean13, "0", #"inventory.count {"gtin":"04006381333931","location":"DOCK-3","barcode":"4006381333931"} {"quantity":0,"mode":"count"}"#),
        ("count", Labels.pallet, nil,
         #"inventory.count {"sscc":"340063810000000018","contentGtin":"04006381333931","location":"DOCK-3","barcode":"]C10034006381000000001802040063813339313712"} {"quantity":12,"count":12,"mode":"count"}"#),
        ("count", Labels.ean13, "-1", "rejected: quantity -1: an inventory count cannot be negative"),
        // Scans: everything else, with what the barcode says.
        (nil, Labels.ean13, "2", #"scan {"gtin":"04006381333931","location":"DOCK-3","barcode":"4006381333931"} {"quantity":2}"#),
        ("load", Labels.caseLabel, nil,
         #"scan {"gtin":"14006381333938","lot":"ABC-1","location":"DOCK-3","barcode":"]C101140063813339381727013110ABC-1"} {"expiry":"2027-01-31","mode":"load"}"#),
        ("receive", Labels.lotOnly, nil, #"scan {"lot":"ABC","location":"DOCK-3","barcode":"(17)270131(10)ABC"} {"expiry":"2027-01-31","mode":"receive"}"#),
        ("count", Labels.glnLocation, nil, #"scan {"gln":{"location":"4006381000017"},"location":"DOCK-3","barcode":"(414)4006381000017"} {"mode":"count"}"#),
        ("adjust", Labels.sscc, "5", #"scan {"sscc":"340063810000000018","location":"DOCK-3","barcode":"00340063810000000018"} {"quantity":5,"mode":"adjust"}"#),
        ("receive", Labels.location, "1", #"scan {"location":"DOCK-3","barcode":"LOC-A1"} {"quantity":1,"mode":"receive"}"#),
        ("load", "10-A-3", nil, #"scan {"location":"DOCK-3","barcode":"10-A-3"} {"mode":"load"}"#),
        ("load", "(01)04006381333931(20)07(422)276(3201)000500", nil,
         #"scan {"gtin":"04006381333931","location":"DOCK-3","barcode":"(01)04006381333931(20)07(422)276(3201)000500"} {"variant":"07","countryOfOrigin":"276","ai3201":"000500","mode":"load"}"#),
    ]

    @Test("exact subject and data", arguments: rows)
    func exact(_ mode: String?, _ barcode: String, _ quantity: String?, _ expected: String) throws {
        let result = MappingFixtures.map(barcode, mode: mode, quantity: quantity, device: try MappingFixtures.device())
        #expect(MappingFixtures.render(result) == expected)
    }

    /// Invalid GS1 barcodes in a mode that would type them: the parser's reason, never an event.
    static let invalid: [(barcode: String, reason: String)] = [
        (Labels.badSSCC, "barcode 00003456789012345675: AI 00: SSCC check digit 5, expected 0"),
        ("003456789012345675", "barcode 003456789012345675: AI 00: expected 18 digits, found 16"),
        ("4006381333932", "barcode 4006381333932: GTIN check digit 2, expected 1"),
        ("]E04006381333930", "barcode ]E04006381333930: GTIN check digit 0, expected 1"),
        ("]C1010400638133393117271331", "barcode ]C1010400638133393117271331: AI 17: month 13 out of range"),
        ("(01)04006381333931(17)270231", "barcode (01)04006381333931(17)270231: AI 17: day 31 out of range for 2027-02"),
        ("]C1", "barcode ]C1: no data after symbology identifier ]C1"),
        ("]C10104006381333931\u{1D}\u{1D}10A", "barcode ]C10104006381333931<U+001D><U+001D>10A: unexpected GS separator at position 21"),
        ("(01)0400638133393", "barcode (01)0400638133393: AI 01: expected 14 digits, found 13"),
        ("0104006381333931" + "10ABC\u{1D}99", "barcode 010400638133393110ABC<U+001D>99: unknown AI 99 at position 23"),
        ("(00)340063810000000018(00)340063810000000025",
         "barcode (00)340063810000000018(00)340063810000000025: AI 00 repeated at position 24 with a different value"),
        ("]E0ABCDEFGHIJKLM", "barcode ]E0ABCDEFGHIJKLM: invalid character 'A' at position 4, expected a digit"),
        ("12345678", "barcode 12345678: GTIN check digit 8, expected 0"),
        (String(repeating: "0", count: 70) + "5",
         "barcode " + String(repeating: "0", count: 64) + "…: AI 00: expected 18 digits, found 9"),
    ]

    @Test("invalid GS1 barcodes are rejected with the parser's precise reason", arguments: invalid)
    func rejected(_ barcode: String, _ reason: String) throws {
        let device = try MappingFixtures.device(set: ["mode": "receive"])
        #expect(MappingFixtures.render(MappingFixtures.map(barcode, device: device)) == "rejected: " + reason)
    }

    @Test("nonGS1: reject turns labels that are not GS1 into rejections, and GS1 ones still map")
    func nonGS1Reject() throws {
        let yaml = """
            transport: mqtt
            payload: { format: text, nonGS1: reject }
            """
        let profile = try DeviceProfile.parse(yaml, name: "strict-scanner", file: "strict-scanner.yaml")
        #expect(profile.payload.nonGS1 == .reject)
        let device = DeviceBinding(id: "strict", profileName: "strict-scanner", profile: profile, topic: "t/+", set: ["mode": "load"])
        let location = ScanMapping.map(payload: Array("LOC-A1\r\n".utf8), device: device, today: MappingFixtures.today)
        #expect(MappingFixtures.render(location) == "rejected: barcode LOC-A1 is not GS1 (the profile has nonGS1: reject)")
        let sscc = ScanMapping.map(payload: Array(Labels.sscc.utf8), device: device, today: MappingFixtures.today)
        #expect(MappingFixtures.render(sscc).hasPrefix("shipment.milestone"))
        #expect(try CoreScanMappingTests.profile("gs1-scanner").payload.nonGS1 == .scan, "the shipped profiles keep unknown labels")
        #expect(try CoreScanMappingTests.profile("raw-scanner").payload.nonGS1 == .scan)
    }

    @Test("nonGS1 takes scan or reject, nothing else")
    func nonGS1Validation() {
        let yaml = "transport: mqtt\npayload: { format: text, nonGS1: drop }\n"
        let issues = #expect(throws: ConfigIssues.self) { try DeviceProfile.parse(yaml, name: "x", file: "x.yaml") }
        #expect("\(issues.map { "\($0)" } ?? "")".contains("'drop' is not one of scan, reject"), "\(String(describing: issues))")
    }

    @Test("GS1 dates resolve their century from the acceptance day; a clock before 2025 counts as 2025-01-01")
    func century() throws {
        #expect(ScanMapping.today(atMillis: 1_795_341_600_123) == GS1Date(year: 2026, month: 11, day: 22))
        #expect(ScanMapping.today(atMillis: 0) == GS1Date(year: 2025, month: 1, day: 1))
        let device = try MappingFixtures.device(set: ["mode": "receive"])
        func expiry(_ yymmdd: String, _ today: GS1Date) -> JSONValue? {
            let payload = MappingFixtures.payload("(01)04006381333931(17)" + yymmdd)
            return try? ScanMapping.map(payload: Array(payload.utf8), device: device, today: today).get().draft.data["expiry"]
        }
        // GS1 General Specifications 7.12: a year 51 or more ahead of this one is in the previous century.
        #expect(expiry("770101", GS1Date(year: 2026, month: 11, day: 22)) == .string("1977-01-01"))
        #expect(expiry("770101", GS1Date(year: 2027, month: 1, day: 1)) == .string("2077-01-01"))
        // A gateway that booted without a clock thinks it is 1970: its 27 would be 1927.
        #expect(expiry("270131", GS1Date(year: 1970, month: 1, day: 1)) == .string("1927-01-31"))
        #expect(expiry("270131", ScanMapping.today(atMillis: 0)) == .string("2027-01-31"))
    }
}
