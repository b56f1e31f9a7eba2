@testable import GS1
import WaystationCore

enum GS1Fixtures {
    /// The fixed "today" of the table: two-digit years 77-99 are 19xx, 00-76 are 20xx.
    static let today = GS1Date(year: 2026, month: 6, day: 15)

    /// Every field a barcode yields through the public accessors, as strings, plus the form and the AIs in
    /// order; elements no accessor covers appear under their name.
    static func fields(_ barcode: GS1ElementString) -> [String: String] {
        var fields: [String: String] = [:]
        fields["form"] =
            switch barcode.form {
            case .plainGTIN: "plain"
            case .separated: "separated"
            case .bracketed: "bracketed"
            }
        fields["ais"] = barcode.elements.map(\.ai).joined(separator: ",")
        fields["symbology"] = barcode.symbologyIdentifier
        fields["plainGTIN"] = barcode.plainGTIN
        fields["sscc"] = barcode.sscc
        fields["gtin"] = barcode.gtin
        fields["content"] = barcode.contentGTIN
        fields["lot"] = barcode.lot
        fields["serial"] = barcode.serial
        fields["productionDate"] = barcode.productionDate?.iso
        fields["packagingDate"] = barcode.packagingDate?.iso
        fields["bestBefore"] = barcode.bestBefore?.iso
        fields["expiry"] = barcode.expiry?.iso
        fields["count"] = barcode.count.map(String.init)
        fields["orderNumber"] = barcode.orderNumber
        fields["shipToPostalCode"] = barcode.shipToPostalCode
        fields["shipToCountry"] = barcode.shipToCountry
        for measure in barcode.measures {
            fields["measure.\(measure.ai)"] = "\(measure.name) \(measure.text) \(measure.unit)"
        }
        for (name, gln) in barcode.glns {
            fields["gln.\(name)"] = gln
        }
        let covered: Set<String> = ["00", "01", "02", "10", "21", "11", "13", "15", "17", "30", "37", "400", "420", "421"]
        for element in barcode.elements where !covered.contains(element.ai) {
            switch element.typed {
            case .measure: continue
            case .identifier where element.ai.hasPrefix("41"): continue
            default: fields[element.name] = render(element.typed)
            }
        }
        return fields
    }

    static func render(_ value: GS1Value) -> String {
        switch value {
        case .identifier(let digits): digits
        case .date(let date): date.iso
        case .count(let count): String(count)
        case .measure(let measure): "\(measure.name) \(measure.text) \(measure.unit)"
        case .postalCode(let country, let code): "\(country) \(code)"
        case .text(let text): text
        }
    }

    /// Why `text` is refused, or `nil` if it parses.
    static func reason(_ text: String, today: GS1Date = today) -> String? {
        if case .failure(let error) = Barcode.parse(text, today: today) { return error.description }
        return nil
    }

    /// `text` with GS shown as `<GS>` and CR, LF, tab escaped, for test names.
    static func visible(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\u{1D}": result += "<GS>"
            case "\r": result += "\\r"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

/// The shared seedable generator (WaystationCore.SplitMix64).
typealias GS1SplitMix64 = SplitMix64

/// Random valid element strings: the generated (AI, value) pairs and their three written forms.
struct GS1ValidSample {
    var pairs: [(ai: String, value: String)]

    /// AIs without brackets, GS after each field that needs one (and, if `extraSeparators`, after some that
    /// do not, which parsers must tolerate).
    func separated(extraSeparators: Bool = false, using rng: inout GS1SplitMix64) -> String {
        var text = ""
        for (index, pair) in pairs.enumerated() {
            text += pair.ai + pair.value
            let last = index == pairs.count - 1
            let needs = AITable.known[pair.ai].map(\.needsSeparator) ?? true
            if !last && (needs || (extraSeparators && Bool.random(using: &rng))) { text += "\u{1D}" }
        }
        return text
    }

    var bracketed: String {
        pairs.map { "(\($0.ai))\($0.value)" }.joined()
    }
}

enum GS1Generator {
    static let digits = Array("0123456789")
    /// Character set 82 without `(`, so values never look like a bracketed AI.
    static let set82 = Array("!\"%&')*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
    static let ais = [
        "00", "01", "02", "10", "11", "12", "13", "15", "16", "17", "20", "21", "235", "240", "241", "30", "37",
        "3100", "3102", "3103", "3105", "3111", "3122", "3132", "3142", "3153", "3162", "3302",
        "400", "410", "411", "412", "413", "414", "415", "416", "417", "420", "421", "422",
    ]

    static func string(_ alphabet: [Character], count: Int, using rng: inout GS1SplitMix64) -> String {
        String((0..<count).map { _ in alphabet.randomElement(using: &rng)! })
    }

    static func withCheckDigit(_ dataDigits: Int, using rng: inout GS1SplitMix64) -> String {
        CheckDigit.appending(to: string(digits, count: dataDigits, using: &rng))!
    }

    /// A valid YYMMDD (day 00 included) for `today`.
    static func date(today: GS1Date, using rng: inout GS1SplitMix64) -> String {
        let yy = Int.random(in: 0...99, using: &rng)
        let month = Int.random(in: 1...12, using: &rng)
        let year = DateRules.year(twoDigit: yy, today: today)
        let day = Int.random(in: 0...GS1Date.daysIn(year: year, month: month), using: &rng)
        return [yy, month, day].map { $0 < 10 ? "0\($0)" : "\($0)" }.joined()
    }

    /// A valid value for `ai`.
    static func value(for ai: String, today: GS1Date, using rng: inout GS1SplitMix64) -> String {
        switch ai {
        case "00": withCheckDigit(17, using: &rng)
        case "01", "02": withCheckDigit(13, using: &rng)
        case "10", "21", "420": string(set82, count: Int.random(in: 1...20, using: &rng), using: &rng)
        case "11", "12", "13", "15", "16", "17": date(today: today, using: &rng)
        case "20": string(digits, count: 2, using: &rng)
        case "235": string(set82, count: Int.random(in: 1...28, using: &rng), using: &rng)
        case "240", "241", "400": string(set82, count: Int.random(in: 1...30, using: &rng), using: &rng)
        case "30", "37": string(digits, count: Int.random(in: 1...8, using: &rng), using: &rng)
        case "421":
            string(digits, count: 3, using: &rng)
                + string(set82, count: Int.random(in: 1...9, using: &rng), using: &rng)
        case "422": string(digits, count: 3, using: &rng)
        default:
            ai.hasPrefix("41") ? withCheckDigit(12, using: &rng) : string(digits, count: 6, using: &rng)
        }
    }

    /// 1 to 6 distinct AIs with valid values, in random order.
    static func sample(today: GS1Date, using rng: inout GS1SplitMix64) -> GS1ValidSample {
        let count = Int.random(in: 1...6, using: &rng)
        var chosen: [String] = []
        while chosen.count < count {
            let ai = ais.randomElement(using: &rng)!
            if !chosen.contains(ai) { chosen.append(ai) }
        }
        return GS1ValidSample(pairs: chosen.map { ($0, value(for: $0, today: today, using: &rng)) })
    }
}
