import Testing

@testable import GS1

private let gs = "\u{1D}"

/// A barcode that must be refused with exactly this reason.
struct GS1InvalidCase: CustomTestStringConvertible, Sendable {
    let input: String
    let error: String
    let note: String

    init(_ input: String, _ error: String, _ note: String) {
        self.input = input
        self.error = error
        self.note = note
    }

    var testDescription: String { "\(note): \(GS1Fixtures.visible(input))" }
}

/// Broken labels, each with its exact reason; positions count from 1, symbology identifier included.
/// Expected check digits were computed with an independent script; dates are read on 2026-06-15.
@Suite("GS1: invalid barcodes")
struct GS1InvalidTableTests {
    static let cases: [GS1InvalidCase] = [
        // Nothing there.
        .init("", "empty barcode", "empty"),
        .init("\r\n", "empty barcode", "only CR LF"),
        .init("   ", "empty barcode", "only spaces"),
        .init(gs, "empty barcode", "only a separator"),
        .init("]C1", "no data after symbology identifier ]C1", "identifier only"),
        .init("]d2\r\n", "no data after symbology identifier ]d2", "identifier and CR LF"),
        .init("]C1" + gs, "no data after symbology identifier ]C1", "identifier and FNC1"),
        .init("]C", "invalid symbology identifier ']C'", "identifier cut short"),
        .init("]", "invalid symbology identifier ']'", "lone bracket"),
        .init("]X", "invalid symbology identifier ']X'", "identifier without modifier"),
        .init("]1C0109501101530003", "invalid symbology identifier ']1C'", "digit as symbology code"),

        // Check digits.
        .init("0109501101530008", "AI 01: GTIN check digit 8, expected 3", "09501101530008 as quoted in the brief is not a valid GTIN"),
        .init("(01)09501101530008(17)270131(10)AB-123", "AI 01: GTIN check digit 8, expected 3", "the same, bracket form"),
        .init("00106141411234567895", "AI 00: SSCC check digit 5, expected 7", "SSCC with a wrong check digit"),
        .init("]C100106141411234567895", "AI 00: SSCC check digit 5, expected 7", "the same, GS1-128"),
        .init("(00)003456789012345675", "AI 00: SSCC check digit 5, expected 0", "the SSCC printed in DESIGN.md 3.4"),
        .init("(02)10614141000416", "AI 02: GTIN check digit 6, expected 5", "content GTIN"),
        .init("(410)9501101020015", "AI 410: GLN check digit 5, expected 6", "ship-to GLN"),
        .init("(414)0614141000006", "AI 414: GLN check digit 6, expected 5", "location GLN"),
        .init("4006381333932", "GTIN check digit 2, expected 1", "EAN-13"),
        .init("036000291453", "GTIN check digit 3, expected 2", "UPC-A"),
        .init("96385070", "GTIN check digit 0, expected 4", "EAN-8"),
        .init("10614141000416", "GTIN check digit 6, expected 5", "GTIN-14"),
        .init("]E04006381333930", "GTIN check digit 0, expected 1", "EAN-13 with ]E0"),

        // Dates.
        .init("0109501101530003" + "17271301", "AI 17: month 13 out of range", "month 13"),
        .init("(01)09501101530003(17)271301", "AI 17: month 13 out of range", "month 13, bracket form"),
        .init("(01)09501101530003(17)270001", "AI 17: month 00 out of range", "month 00"),
        .init("0109501101530003" + "17270230", "AI 17: day 30 out of range for 2027-02", "30 February"),
        .init("0109501101530003" + "17270229", "AI 17: day 29 out of range for 2027-02", "29 February, not a leap year"),
        .init("(17)290229", "AI 17: day 29 out of range for 2029-02", "29 February 2029"),
        .init("(11)270431", "AI 11: day 31 out of range for 2027-04", "31 April"),
        .init("(15)270132", "AI 15: day 32 out of range for 2027-01", "day 32"),
        .init("(13)990231", "AI 13: day 31 out of range for 1999-02", "year 99 is 1999"),
        .init("123456789", "AI 12: month 56 out of range", "9 digits are no GTIN, so an element string"),

        // Lengths.
        .init("(01)095011015", "AI 01: expected 14 digits, found 9", "short GTIN"),
        .init("01095011015", "AI 01: expected 14 digits, found 9", "short GTIN at the end of the data"),
        .init("(01)9501101530003", "AI 01: expected 14 digits, found 13", "GTIN-13 not padded to 14"),
        .init("(01)", "AI 01: expected 14 digits, found 0", "no GTIN"),
        .init("0010614141123456789", "AI 00: expected 18 digits, found 17", "short SSCC"),
        .init("(00)1061414112345678970", "AI 00: expected 18 digits, found 19", "long SSCC"),
        .init("(17)27013", "AI 17: expected 6 digits, found 5", "short date"),
        .init("]C1" + "01095011015300031712", "AI 17: expected 6 digits, found 2", "date cut by the end"),
        .init("0109501101530003" + "172701" + gs + "10A", "AI 17: expected 6 digits, found 4", "date cut by a separator"),
        .init("]C10109501101530003" + gs + "3103", "AI 3103: expected 6 digits, found 0", "weight AI without data"),
        .init("(01)09501101530003(3103)00012", "AI 3103: expected 6 digits, found 5", "short weight"),
        .init("(20)1", "AI 20: expected 2 digits, found 1", "short variant"),
        .init("0109501101530003" + "422276" + "10LOT", "AI 422: expected 3 digits, found 8", "AI 422 is not predefined: it needs a GS"),
        .init("(01)09501101530003(", "AI 01: expected 14 digits, found 15", "stray bracket"),
        .init("(01)09501101530003)", "AI 01: expected 14 digits, found 15", "stray closing bracket"),
        .init("(01)09501101530003 (17)270131", "AI 01: expected 14 digits, found 15", "space between bracketed elements"),
        .init("0109501101530003" + "10ABCDEFGHIJ01234567890", "AI 10: lot longer than 20 characters", "lot of 21 characters"),
        .init("(10)ABCDEFGHIJ01234567890", "AI 10: lot longer than 20 characters", "lot of 21 characters, bracket form"),
        .init("0109501101530003" + "21" + String(repeating: "7", count: 21), "AI 21: serial longer than 20 characters", "serial of 21 characters"),
        .init("37123456789", "AI 37: count longer than 8 digits", "count of 9 digits"),
        .init("400" + String(repeating: "A", count: 31), "AI 400: order number longer than 30 characters", "order number of 31 characters"),
        .init("420" + String(repeating: "9", count: 21), "AI 420: postal code longer than 20 characters", "postal code of 21 characters"),
        .init("(421)2761234567890", "AI 421: postal code with country code longer than 12 characters", "postal code of 10 characters"),
        .init("(421)27", "AI 421: postal code with country code shorter than 4 characters", "country code cut short"),
        .init("(421)276", "AI 421: postal code with country code shorter than 4 characters", "country code without postal code"),
        .init("0109501101530003" + "10", "AI 10: empty value at position 19", "lot AI at the end"),
        .init("0109501101530003" + "10" + gs + "21ABC", "AI 10: empty value at position 19", "lot AI followed by GS"),
        .init("(10)", "AI 10: empty value at position 5", "empty lot, bracket form"),
        .init("(00)106141411234567897(37)", "AI 37: empty value at position 27", "empty count, bracket form"),
        .init("0109501101530003" + "235", "AI 235: empty value at position 20", "empty third-party serial"),

        // Characters.
        .init("010950110153000A", "AI 01: invalid character 'A' at position 16, expected a digit", "letter in a GTIN"),
        .init("(17)27O131", "AI 17: invalid character 'O' at position 7, expected a digit", "letter O in a date"),
        .init("(3103)12345A", "AI 3103: invalid character 'A' at position 12, expected a digit", "letter in a weight"),
        .init("30ABC", "AI 30: invalid character 'A' at position 3, expected a digit", "letters in a count"),
        .init("(421)DE20095", "AI 421: invalid character 'D' at position 6, expected a digit", "alpha country code"),
        .init("0109501101530003" + "10AB#12", "AI 10: invalid character '#' at position 21, not in the GS1 character set 82", "# in a lot"),
        .init("10AB CD", "AI 10: invalid character ' ' at position 5, not in the GS1 character set 82", "space in a lot"),
        .init("10LOT\u{E9}1", "AI 10: invalid character U+00E9 at position 6, not in the GS1 character set 82", "accented letter in a lot"),
        .init("]E0400638133393X", "invalid character 'X' at position 16, expected a digit", "letter in an EAN-13"),
        .init("]E04006381333931" + gs, "invalid character U+001D at position 17, expected a digit", "GS after an EAN-13"),
        .init("]E0123456789", "expected a GTIN of 8, 12, 13 or 14 digits, found 9 digits", "9 digits under ]E0"),
        .init("]E49638507", "expected a GTIN of 8, 12, 13 or 14 digits, found 7 digits", "7 digits under ]E4"),

        // AIs.
        .init("0109501101530003" + "9912345", "unknown AI 99 at position 17", "company-internal AI"),
        .init("(99)ABC", "unknown AI 99 at position 2", "company-internal AI, bracket form"),
        .init("(8200)http", "unknown AI 8200 at position 2", "product URL AI"),
        .init("0109501101530003" + "70032701311200", "unknown AI 7003 at position 17", "expiry time AI"),
        .init("0109501101530003" + "2301234", "unknown AI 230 at position 17", "AI 23 is no longer of predefined length"),
        .init("(01)95012345678903(3106)001234", "AI 3106: decimal point position 6 out of range 0-5", "6 decimals in a 6-digit weight"),
        .init("0195012345678903" + "3109001234", "AI 3109: decimal point position 9 out of range 0-5", "9 decimals"),
        .init("0109501101530003" + "3", "incomplete AI 3 at position 17", "one digit left"),
        .init("0109501101530003" + "310", "incomplete AI 310 at position 17", "four-digit AI cut short"),
        .init("0109501101530003" + "A1", "expected an AI at position 17, found 'A'", "letter where an AI starts"),
        .init("0109501101530003" + "1A", "expected an AI at position 18, found 'A'", "letter inside an AI"),
        .init("0109501101530003" + "31A0", "expected an AI at position 19, found 'A'", "letter inside a four-digit AI"),
        .init(" 4006381333931", "expected an AI at position 1, found ' '", "leading space"),
        .init("(01", "malformed AI in brackets at position 1", "unclosed bracket"),
        .init("(1)23", "malformed AI in brackets at position 1", "one-digit AI"),
        .init("()", "malformed AI in brackets at position 1", "empty brackets"),

        // Separators and repeats.
        .init("0109501101530003" + "10ABC" + gs + gs + "21X", "unexpected GS separator at position 23", "two separators after a lot"),
        .init("0109501101530003" + gs + gs + "10ABC", "unexpected GS separator at position 18", "two separators after a GTIN"),
        .init(gs + gs + "0109501101530003", "unexpected GS separator at position 2", "two leading separators"),
        .init("(01)09501101530003(10)ABC(10)XYZ", "AI 10 repeated at position 27 with a different value", "two lots"),
        .init("(01)09501101530003(00)106141411234567897(00)106141412345678908", "AI 00 repeated at position 42 with a different value", "two SSCCs"),
        .init("]C1" + "00106141411234567897" + gs + "00106141412345678908", "AI 00 repeated at position 25 with a different value", "two SSCCs, GS1-128"),
    ]

    @Test("is refused with the exact reason", arguments: cases)
    func refused(_ testCase: GS1InvalidCase) {
        switch Barcode.parse(testCase.input, today: GS1Fixtures.today) {
        case .success(let barcode):
            Issue.record("parsed as \(GS1Fixtures.fields(barcode))")
        case .failure(let error):
            #expect(error.description == testCase.error)
        }
    }

    @Test("the throwing initialiser gives the same error")
    func throwingInitialiser() {
        #expect(throws: GS1Error.checkDigit(ai: "00", identifier: "SSCC", found: 5, expected: 7)) {
            try GS1ElementString(parsing: "00106141411234567895", today: GS1Fixtures.today)
        }
        #expect(throws: GS1Error.unknownAI("99", position: 17)) {
            try GS1ElementString(parsing: "0109501101530003" + "9912345", today: GS1Fixtures.today)
        }
    }
}
