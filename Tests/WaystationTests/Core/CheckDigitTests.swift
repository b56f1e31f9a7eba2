import GS1
import Testing

@Suite("Core: GS1 check digits")
struct CoreCheckDigitTests {
    /// Real, valid GS1 numbers (published examples; check digits verified by hand).
    static let valid = [
        "4006381333931",  // GTIN-13 (EAN-13)
        "5901234123457",  // GTIN-13
        "96385074",  // GTIN-8
        "73513537",  // GTIN-8
        "036000291452",  // UPC-A
        "042100005264",  // UPC-A
        "10614141000415",  // GTIN-14
        "00012345600012",  // GTIN-14
        "106141412345678908",  // SSCC (GS1 General Specifications example)
        "376104250021234569",  // SSCC
        "003456789012345670",  // SSCC of DESIGN.md 3.4 with its correct check digit
    ]

    @Test("valid numbers", arguments: valid)
    func validNumbers(_ number: String) {
        #expect(CheckDigit.isValid(number))
        #expect(CheckDigit.compute(for: number.dropLast()) == number.last?.wholeNumberValue)
        #expect(CheckDigit.appending(to: number.dropLast()) == number)
    }

    @Test("every single wrong digit is detected", arguments: valid)
    func singleDigitErrors(_ number: String) {
        let digits = Array(number)
        for position in digits.indices {
            for replacement in "0123456789" where replacement != digits[position] {
                var changed = digits
                changed[position] = replacement
                #expect(!CheckDigit.isValid(String(changed)), "\(String(changed))")
            }
        }
    }

    @Test("invalid numbers", arguments: [
        "003456789012345675",  // the SSCC printed in DESIGN.md 3.4: its check digit should be 0
        "4006381333932", "4006381333930", "4006318333931", "40063813339a1", "400638133393a", "4006381333931 ",
        " 4006381333931", "4006-381333931", "", "5", "+4006381333931",
    ])
    func invalidNumbers(_ number: String) {
        #expect(!CheckDigit.isValid(number))
    }

    @Test("compute and appending reject non-digits")
    func nonDigits() {
        #expect(CheckDigit.compute(for: "40063813339a") == nil)
        #expect(CheckDigit.compute(for: "４００６") == nil)
        #expect(CheckDigit.appending(to: "12 34") == nil)
        #expect(CheckDigit.compute(for: "400638133393") == 1)
        #expect(CheckDigit.compute(for: "0") == 0)
    }

    @Test
    func nonASCIICheckDigitIsInvalid() {
        #expect(!CheckDigit.isValid("400638133393١"))  // ARABIC-INDIC DIGIT ONE
        #expect(!CheckDigit.isValid("400638133393１"))  // FULLWIDTH DIGIT ONE
    }
}
