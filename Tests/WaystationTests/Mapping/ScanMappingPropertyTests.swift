import GS1
import Testing
import WaystationCore

/// Seeded property test: 120,000 generated payloads — valid labels, labels with one character changed,
/// labels not GS1 at all, garbage — in every mode, through both shipped scanner profiles. Each one must map
/// or be rejected with a reason, and every event must be right about what it claims.
@Suite("Mapping: property test over generated payloads")
struct ScanMappingPropertyTests {
    static let modes = ["receive", "pick", "pack", "load", "depart", "deliver", "adjust", "count", "COUNT", "inspect", ""]
    static let ids: Set<String> = ["sscc", "gtin", "contentGtin", "lot", "serial", "order", "gln", "location", "barcode"]

    /// Builds random barcodes from GS1 parts, then damages some of them.
    struct Generator {
        var rng: CoreSplitMix64

        mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
        mutating func chance(_ percent: Int) -> Bool { int(1...100) <= percent }
        mutating func digits(_ count: Int) -> String { String((0..<count).map { _ in Character(String(int(0...9))) }) }
        mutating func withCheckDigit(_ count: Int) -> String { CheckDigit.appending(to: digits(count - 1))! }
        mutating func text(_ maximum: Int) -> String {
            let alphabet = Array("ABCXYZ0123456789-./_%&abc")
            return String((0..<int(1...maximum)).map { _ in alphabet[int(0...(alphabet.count - 1))] })
        }
        mutating func date() -> String {
            let month = int(0...13)
            let day = int(0...31)
            return digits(2) + (month < 10 ? "0" : "") + String(month) + (day < 10 ? "0" : "") + String(day)
        }

        /// An element string of 1 to 5 fields, in separated or bracket form.
        mutating func elementString() -> String {
            var fields: [(ai: String, value: String, variable: Bool)] = []
            for _ in 0..<int(1...5) {
                switch int(0...11) {
                case 0: fields.append(("00", withCheckDigit(18), false))
                case 1: fields.append(("01", withCheckDigit(14), false))
                case 2: fields.append(("02", withCheckDigit(14), false))
                case 3: fields.append(("10", text(20), true))
                case 4: fields.append(([("11"), "13", "15", "17"][int(0...3)], date(), false))
                case 5: fields.append(("21", text(20), true))
                case 6: fields.append((["30", "37"][int(0...1)], digits(int(1...8)), true))
                case 7: fields.append(("310\(int(0...6))", digits(6), false))
                case 8: fields.append(("400", text(30), true))
                case 9: fields.append(("41\(int(0...5))", withCheckDigit(13), false))
                case 10: fields.append(("421", digits(3) + text(9), true))
                default: fields.append(("\(int(0...99))", digits(int(0...20)), chance(50)))
                }
            }
            if chance(30) { return fields.map { "(\($0.ai))\($0.value)" }.joined() }
            var text = ["", "]C1", "]d2", "]Q3", "]e0"][int(0...4)]
            for (index, field) in fields.enumerated() {
                text += field.ai + field.value
                if field.variable && index < fields.count - 1 { text += "\u{1D}" }
            }
            return text
        }

        mutating func barcode() -> String {
            var barcode: String
            switch int(0...9) {
            case 0...4: barcode = elementString()
            case 5: barcode = ["", "]E0", "]I1", "]C0"][int(0...3)] + withCheckDigit([8, 12, 13, 14][int(0...3)])
            case 6: barcode = ["LOC-", "PAL-", "A1-", "10-", "01", "00"][int(0...5)] + text(12)
            case 7: barcode = digits(int(1...24))
            default: barcode = String(String.UnicodeScalarView((0..<int(0...40)).map { _ in Unicode.Scalar(UInt8(int(0...255))) }))
            }
            // Damage: one character replaced, dropped or a GS inserted.
            if chance(35), !barcode.isEmpty {
                var scalars = Array(barcode.unicodeScalars)
                let position = int(0...(scalars.count - 1))
                switch int(0...2) {
                case 0: scalars[position] = Unicode.Scalar(UInt8(int(0x30...0x39)))
                case 1: scalars.remove(at: position)
                default: scalars.insert("\u{1D}", at: position)
                }
                barcode = String(String.UnicodeScalarView(scalars))
            }
            return barcode
        }

        mutating func quantity() -> JSONValue? {
            switch int(0...9) {
            case 0...3: nil
            case 4: .int(Int64(int(-5...50)))
            case 5: .int([0, .min, .max, -1][int(0...3)])
            case 6: .double(Double(int(-1000...1000)) / 8)
            case 7: .string(["3", "-2", "0.5", "1e3", "lots", ""][int(0...5)])
            case 8: .bool(true)
            default: .double([1e300, -0.0, 0.1][int(0...2)])
            }
        }

        mutating func payload() -> [UInt8] {
            var object = JSONObject()
            object["barcode"] = .string(barcode())
            object["qty"] = quantity()
            if chance(70) { object["mode"] = .string(ScanMappingPropertyTests.modes[int(0...(ScanMappingPropertyTests.modes.count - 1))]) }
            if chance(50) { object["msgId"] = .string("m-\(int(0...1_000_000))") }
            return Array(object.encoded.utf8)
        }
    }

    @Test("120,000 generated payloads: each mapped or rejected with a reason, every event right about its barcode")
    func generatedPayloads() throws {
        let json = try CoreScanMappingTests.gs1Device(set: ["location": "DOCK-3", "mode": "load"])
        let raw = try CoreScanMappingTests.rawDevice()
        var generator = Generator(rng: CoreSplitMix64(seed: 0x5CA9_2026))
        var outcomes: [String: Int] = [:]
        var failures: [String] = []
        for index in 0..<120_000 {
            let payload: [UInt8]
            let device: DeviceBinding
            if index % 4 == 3 {
                device = raw
                payload = Array(generator.barcode().utf8)
            } else {
                device = json
                payload = generator.payload()
            }
            switch ScanMapping.map(payload: payload, device: device, today: MappingFixtures.today) {
            case .success(let mapped):
                outcomes[mapped.draft.type.rawValue, default: 0] += 1
                if let problem = Self.problem(with: mapped.draft), failures.count < 10 {
                    failures.append("\(problem): \(String(decoding: payload, as: UTF8.self))")
                }
            case .failure(let rejection):
                outcomes["rejected", default: 0] += 1
                if rejection.reason.isEmpty { failures.append("empty reason: \(payload)") }
            }
        }
        #expect(failures.isEmpty, "\(failures)")
        #expect(outcomes.values.reduce(0, +) == 120_000)
        for type in ["scan", "shipment.milestone", "inventory.adjustment", "inventory.count", "rejected"] {
            #expect(outcomes[type, default: 0] > 1_000, "too few \(type): \(outcomes)")
        }
    }

    /// What is wrong with an event the mapping produced, if anything.
    static func problem(with draft: EventDraft) -> String? {
        guard case .string(let barcode)? = draft.subject["barcode"], !barcode.isEmpty else { return "no barcode" }
        let parsed = try? Barcode.parse(barcode, today: MappingFixtures.today).get()
        if ScanClassifier.claimsGS1(barcode) && parsed == nil { return "an event from an invalid GS1 barcode" }
        if !ScanClassifier.claimsGS1(barcode) && draft.subject.entries.count > 2 { return "identifiers from a barcode that is not GS1" }
        for (key, value) in draft.subject.entries where !ids.contains(key) { return "unexpected subject key \(key)=\(value)" }
        for key in ["sscc", "gtin", "contentGtin"] {
            if case .string(let number)? = draft.subject[key], !CheckDigit.isValid(number) { return "\(key) with a wrong check digit" }
        }
        let mode = draft.data["mode"]?.stringValue.flatMap(ScanMode.init(reported:))
        switch draft.type {
        case .shipmentMilestone:
            guard draft.subject["sscc"] != nil, let milestone = mode?.milestone, draft.data["milestone"] == .string(milestone) else {
                return "milestone without an SSCC or with the wrong milestone"
            }
        case .inventoryAdjustment:
            guard draft.subject["gtin"] != nil, draft.subject["sscc"] == nil, let delta = number(draft.data["delta"]), delta != 0 else {
                return "adjustment without a GTIN or a delta"
            }
            if mode == .receive && delta < 0 || mode == .pick && delta > 0 { return "delta \(delta) has the wrong sign for \(mode!)" }
        case .inventoryCount:
            guard mode == .count, let quantity = number(draft.data["quantity"]), quantity >= 0 else { return "count without a quantity" }
        case .scan:
            break
        default:
            return "unexpected type \(draft.type)"
        }
        for (key, value) in draft.data.entries where key.hasSuffix("Date") || ["expiry", "bestBefore", "sellBy"].contains(key) {
            let parts = value.stringValue?.split(separator: "-").compactMap { Int($0) } ?? []
            guard parts.count == 3, value.stringValue?.count == 10, GS1Date(year: parts[0], month: parts[1], day: parts[2]).isValid else {
                return "\(key) not a date: \(value)"
            }
        }
        let encoded = draft.data.encoded + draft.subject.encoded
        if encoded.contains("null") && !barcode.contains("null") { return "null in \(encoded)" }
        return nil
    }

    static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .int(let number)?: Double(number)
        case .double(let number)?: number
        default: nil
        }
    }
}

