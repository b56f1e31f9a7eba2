import Testing

@testable import GS1

@Suite("GS1: dates")
struct GS1DateTests {
    /// (today's year, YY, expected year): GS1 General Specifications 7.12, window today-49 ... today+50.
    static let century: [(Int, Int, Int)] = [
        (2026, 26, 2026), (2026, 76, 2076), (2026, 77, 1977), (2026, 99, 1999), (2026, 0, 2000),
        (2000, 50, 2050), (2000, 51, 1951), (2000, 99, 1999), (1999, 49, 2049), (1999, 48, 2048),
        (1999, 50, 1950), (2049, 99, 2099), (2050, 0, 2100), (2050, 1, 2001), (2080, 30, 2130),
        (2080, 31, 2031), (2080, 79, 2079), (2099, 48, 2148), (2099, 49, 2149), (2099, 50, 2050), (2100, 50, 2150),
        (2100, 51, 2051),
    ]

    @Test("century window", arguments: century)
    func centuryWindow(_ today: Int, _ yy: Int, _ expected: Int) {
        #expect(DateRules.year(twoDigit: yy, today: GS1Date(year: today, month: 1, day: 1)) == expected)
    }

    @Test("the window is 49 years back to 50 ahead, for every year and YY")
    func windowProperty() {
        for todayYear in 1950...2250 {
            let today = GS1Date(year: todayYear, month: 7, day: 1)
            for yy in 0...99 {
                let year = DateRules.year(twoDigit: yy, today: today)
                #expect(year % 100 == yy && (todayYear - 49...todayYear + 50).contains(year))
            }
        }
    }

    @Test("the century follows the injected today")
    func injectedToday() throws {
        let label = "(01)09501101530003(17)300100"
        let in2026 = try Barcode.parse(label, today: GS1Date(year: 2026, month: 1, day: 1)).get()
        let in2081 = try Barcode.parse(label, today: GS1Date(year: 2081, month: 1, day: 1)).get()
        #expect(in2026.expiry == GS1Date(year: 2030, month: 1, day: 31))
        #expect(in2081.expiry == GS1Date(year: 2130, month: 1, day: 31))
    }

    @Test("29 February 2100 does not exist; read in 2080, YY 00 is 2100")
    func year2100() {
        let today = GS1Date(year: 2080, month: 1, day: 1)
        #expect(
            GS1Fixtures.reason("(17)000229", today: today) == "AI 17: day 29 out of range for 2100-02")
        #expect((try? Barcode.parse("(17)000200", today: today).get().expiry) == GS1Date(year: 2100, month: 2, day: 28))
        #expect((try? Barcode.parse("(17)000229", today: GS1Fixtures.today).get().expiry?.iso) == "2000-02-29")
    }

    @Test("day 00 is the last day of every month", arguments: 1...12)
    func dayZero(_ month: Int) throws {
        let last = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        let mm = month < 10 ? "0\(month)" : "\(month)"
        let barcode = try Barcode.parse("(15)27\(mm)00", today: GS1Fixtures.today).get()
        #expect(barcode.bestBefore == GS1Date(year: 2027, month: month, day: last))
        #expect(barcode.element("15")?.value == "27\(mm)00")
    }

    @Test("ISO form, validity and order")
    func isoAndOrder() {
        #expect(GS1Date(year: 2027, month: 1, day: 31).iso == "2027-01-31")
        #expect(GS1Date(year: 999, month: 12, day: 5).description == "0999-12-05")
        #expect(GS1Date(year: 2024, month: 2, day: 29).isValid)
        #expect(!GS1Date(year: 2023, month: 2, day: 29).isValid)
        #expect(!GS1Date(year: 2023, month: 13, day: 1).isValid)
        #expect(GS1Date(year: 2026, month: 12, day: 31) < GS1Date(year: 2027, month: 1, day: 1))
    }

    /// Seconds since 1970 and their UTC dates (computed with Python's datetime).
    static let unixDates: [(Int, String)] = [
        (0, "1970-01-01"), (-1, "1969-12-31"), (-86_400, "1969-12-31"), (-86_401, "1969-12-30"),
        (951_782_400, "2000-02-29"), (1_795_341_600, "2026-11-22"), (4_102_444_800, "2100-01-01"),
        (253_402_300_799, "9999-12-31"),
    ]

    @Test("today from Unix seconds", arguments: unixDates)
    func unixSeconds(_ seconds: Int, _ iso: String) {
        #expect(GS1Date(unixSeconds: seconds).iso == iso)
    }
}
