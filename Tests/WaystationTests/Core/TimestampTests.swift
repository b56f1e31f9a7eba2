import Foundation
import Testing

@testable import WaystationCore

@Suite("Core: Timestamp")
struct CoreTimestampTests {
    /// Reference instants, computed independently (Python datetime).
    static let known: [(String, Int64)] = [
        ("1970-01-01T00:00:00.000Z", 0),
        ("2026-11-22T10:00:00.123Z", 1_795_341_600_123),
        ("2024-02-29T00:00:00.000Z", 1_709_164_800_000),
        ("2000-02-29T12:34:56.000Z", 951_827_696_000),
        ("1999-12-31T23:59:59.999Z", 946_684_799_999),
        ("1969-12-31T23:59:59.999Z", -1),
    ]

    @Test("formats milliseconds as RFC 3339 UTC with three fraction digits")
    func formatsKnownInstants() {
        for (text, millis) in Self.known {
            #expect(Timestamp.iso8601(millis: millis) == text)
            #expect(Timestamp.parse(text) == millis)
        }
    }

    @Test("formatting agrees with the Gregorian calendar for random instants, and parse inverts it")
    func randomRoundTrip() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        var rng = CoreSplitMix64(seed: 0x7157)
        for _ in 0..<2000 {
            // 1970 ... 2199
            let millis = Int64.random(in: 0...7_258_118_400_000, using: &rng)
            let text = Timestamp.iso8601(millis: millis)
            #expect(Timestamp.parse(text) == millis, "\(text)")
            let date = Date(timeIntervalSince1970: TimeInterval(millis / 1000))
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            func pad(_ value: Int?, _ width: Int) -> String {
                let text = String(value ?? -1)
                return String(repeating: "0", count: max(0, width - text.count)) + text
            }
            let expected = pad(parts.year, 4) + "-" + pad(parts.month, 2) + "-" + pad(parts.day, 2) + "T"
                + pad(parts.hour, 2) + ":" + pad(parts.minute, 2) + ":" + pad(parts.second, 2) + "."
                + pad(Int(millis % 1000), 3) + "Z"
            #expect(text == expected)
        }
    }

    @Test("offsets are applied", arguments: [
        ("2026-11-22T11:00:00.123+01:00", "2026-11-22T10:00:00.123Z"),
        ("2026-11-22T04:30:00.123-05:30", "2026-11-22T10:00:00.123Z"),
        ("2026-11-22T10:00:00.123+00:00", "2026-11-22T10:00:00.123Z"),
        ("2026-11-22T10:00:00.123-00:00", "2026-11-22T10:00:00.123Z"),
        ("2026-11-23T00:30:00+14:30", "2026-11-22T10:00:00Z"),
        ("2027-01-01T00:30:00+01:00", "2026-12-31T23:30:00Z"),
        ("2026-11-22t10:00:00.123z", "2026-11-22T10:00:00.123Z"),
        ("2026-11-22 10:00:00.123Z", "2026-11-22T10:00:00.123Z"),
    ])
    func offsets(_ text: String, _ utc: String) throws {
        let parsed = try #require(Timestamp.parse(text))
        #expect(parsed == Timestamp.parse(utc))
    }

    static let shortFractions: [(String, Int64)] = [(".1", 100), (".12", 120), (".123", 123), (".05", 50), (".007", 7), ("", 0)]

    @Test("fractions of 1 to 3 digits are milliseconds", arguments: shortFractions)
    func fractions(_ fraction: String, _ millis: Int64) {
        #expect(Timestamp.parse("2026-11-22T10:00:00\(fraction)Z") == 1_795_341_600_000 + millis)
        #expect(Timestamp.parse("2026-11-22T11:00:00\(fraction)+01:00") == 1_795_341_600_000 + millis)
    }

    /// Microsecond timestamps are what many scanners and PLC gateways send.
    @Test
    func longFractionsAreTruncatedToMilliseconds() {
        let cases: [(String, Int64)] = [(".1234", 123), (".12345", 123), (".123456", 123), (".9999", 999), (".000999999", 0)]
        for (fraction, millis) in cases {
            #expect(Timestamp.parse("2026-11-22T10:00:00\(fraction)Z") == 1_795_341_600_000 + millis)
        }
    }

    @Test("calendar edges: leap days and year ends")
    func calendarEdges() {
        let day: Int64 = 86_400_000
        #expect(Timestamp.parse("2024-03-01T00:00:00Z")! - Timestamp.parse("2024-02-29T00:00:00Z")! == day)
        #expect(Timestamp.parse("2024-02-29T00:00:00Z")! - Timestamp.parse("2024-02-28T00:00:00Z")! == day)
        #expect(Timestamp.parse("2023-03-01T00:00:00Z")! - Timestamp.parse("2023-02-28T00:00:00Z")! == day)
        #expect(Timestamp.parse("2100-03-01T00:00:00Z")! - Timestamp.parse("2100-02-28T00:00:00Z")! == day)
        #expect(Timestamp.parse("2001-01-01T00:00:00Z")! - Timestamp.parse("2000-01-01T00:00:00Z")! == 366 * day)
        #expect(Timestamp.iso8601(millis: Timestamp.parse("2026-12-31T23:59:59.999Z")! + 1) == "2027-01-01T00:00:00.000Z")
        #expect(Timestamp.iso8601(millis: Timestamp.parse("2024-02-28T23:59:59.999Z")! + 1) == "2024-02-29T00:00:00.000Z")
    }

    @Test("rejects what is not RFC 3339", arguments: [
        "", "yesterday", "2026-11-22", "2026-11-22T10:00:00", "2026-11-22T10:00Z", "2026-11-22T10:00:00.Z",
        "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-32T00:00:00Z",
        "2026-11-22T24:00:00Z", "2026-11-22T10:60:00Z", "2026-11-22T10:00:61Z", "2026-11-22T10:00:00+0100",
        "2026-11-22T10:00:00+01", "2026/11/22T10:00:00Z", "2026-11-22T10:00:00Zjunk", " 2026-11-22T10:00:00Z",
        "2026-11-22T10:00:00Z ", "2026-11-22X10:00:00Z", "26-11-22T10:00:00Z", "2026-11-22T10:00:00.123",
        "2026-1a-22T10:00:00Z", "1795341600123",
    ])
    func rejectsInvalid(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test
    func rejectsImpossibleDatesAndOffsets() {
        for text in [
            "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z",
            "2026-11-22T10:00:00+24:00", "2026-11-22T10:00:00+01:60", "2026-11-22T10:00:00+99:99",
        ] {
            #expect(Timestamp.parse(text) == nil, "\(text)")
        }
    }
}
