import Testing

@testable import GS1

/// Generated valid element strings (random GTINs, SSCCs and GLNs with computed check digits, lots, serials,
/// dates, counts, measures, postal codes) written three ways — GS-separated, bracketed, `]C1` — give the same
/// elements, and the elements hold exactly what was generated.
@Suite("GS1: round trip")
struct GS1RoundTripTests {
    @Test("GS-separated, bracket and ]C1 forms parse to the same elements")
    func threeForms() throws {
        var rng = GS1SplitMix64(seed: 20_261_122)
        for _ in 0..<5_000 {
            let sample = GS1Generator.sample(today: GS1Fixtures.today, using: &rng)
            var separated = sample.separated(extraSeparators: true, using: &rng)
            if [8, 12, 13, 14].contains(separated.count), separated.allSatisfy(\.isNumber) {
                // Bare digits of a GTIN's length read as a plain GTIN; a leading FNC1 (GS) marks the element string.
                separated = "\u{1D}" + separated
            }
            let forms = [separated, sample.bracketed, "]C1" + sample.separated(using: &rng)]
            let parsed = try forms.map { try Barcode.parse($0, today: GS1Fixtures.today).get() }
            #expect(parsed.map(\.form) == [.separated, .bracketed, .separated])
            #expect(parsed[2].symbologyIdentifier == "]C1")
            #expect(parsed[0].elements == parsed[1].elements && parsed[1].elements == parsed[2].elements)
            let pairs = parsed[0].elements.map { "\($0.ai)=\($0.value)" }
            #expect(pairs == sample.pairs.map { "\($0.ai)=\($0.value)" })
            #expect(parsed[1].bracketed == sample.bracketed)
            for (ai, value) in sample.pairs {
                try expectTyped(parsed[0], ai: ai, value: value)
            }
        }
    }

    /// The typed accessor for `ai` holds what `value` says.
    func expectTyped(_ barcode: GS1ElementString, ai: String, value: String) throws {
        switch ai {
        case "00": #expect(barcode.sscc == value)
        case "01": #expect(barcode.gtin == value)
        case "02": #expect(barcode.contentGTIN == value)
        case "10": #expect(barcode.lot == value)
        case "21": #expect(barcode.serial == value)
        case "400": #expect(barcode.orderNumber == value)
        case "11", "13", "15", "17":
            let accessor =
                switch ai {
                case "11": barcode.productionDate
                case "13": barcode.packagingDate
                case "15": barcode.bestBefore
                default: barcode.expiry
                }
            let date = try #require(accessor)
            let digits = value.map { $0.wholeNumberValue! }
            #expect(date.isValid)
            #expect(date.year % 100 == digits[0] * 10 + digits[1])
            #expect(date.month == digits[2] * 10 + digits[3])
            let day = digits[4] * 10 + digits[5]
            #expect(date.day == (day == 0 ? GS1Date.daysIn(year: date.year, month: date.month) : day))
        case "30", "37":
            #expect(barcode.element(ai)?.typed == .count(Int(value)!))
        case "421":
            #expect(barcode.shipToCountry == String(value.prefix(3)))
            #expect(barcode.element("421")?.typed == .postalCode(country: String(value.prefix(3)), code: String(value.dropFirst(3))))
        case "420":
            #expect(barcode.shipToPostalCode == value)
        default:
            if let measure = barcode.measures.first(where: { $0.ai == ai }) {
                #expect(measure.value == Double(measure.text))
                #expect(measure.value == Double(Int(value)!) / pow10(measure.decimals))
            } else if ai.hasPrefix("41") {
                #expect(barcode.glns[AITable.known[ai]!.name] == value)
            }
        }
    }

    private func pow10(_ exponent: Int) -> Double {
        (0..<exponent).reduce(1.0) { result, _ in result * 10 }
    }
}
