import Testing

@testable import WaystationCore

@Suite("Core: DurationText")
struct CoreDurationTextTests {
    static let valid: [(String, Duration)] = [
        ("250ms", .milliseconds(250)),
        ("10s", .seconds(10)),
        ("5m", .seconds(300)),
        ("1h", .seconds(3600)),
        ("1.5s", .milliseconds(1500)),
        ("0.25s", .milliseconds(250)),
        ("0s", .zero),
        ("5ms", .milliseconds(5)),
        ("90m", .seconds(5400)),
        (" 10s ", .seconds(10)),
    ]

    @Test("parses the config's durations", arguments: valid)
    func parsesValid(_ text: String, _ expected: Duration) {
        #expect(DurationText.parse(text) == expected)
    }

    @Test("rejects what is not a duration", arguments: [
        "", "10", "s", "ms", "-1s", "10 seconds", "1d", "10S", "1.5.0s", "ten s", "infs", "nanms", "1s5", "s10",
    ])
    func rejectsInvalid(_ text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    static let formatted: [(Duration, String)] = [
        (.milliseconds(250), "250ms"),
        (.seconds(10), "10s"),
        (.seconds(300), "5m"),
        (.seconds(3600), "1h"),
        (.milliseconds(1500), "1500ms"),
        (.seconds(90), "90s"),
        (.seconds(5400), "90m"),
        (.zero, "0ms"),
    ]

    @Test("formats in the largest whole unit", arguments: formatted)
    func formats(_ duration: Duration, _ expected: String) {
        #expect(DurationText.format(duration) == expected)
    }

    @Test("format and parse are inverse for whole milliseconds")
    func roundTrip() {
        var rng = CoreSplitMix64(seed: 0xD0_2A_71_0E)
        for _ in 0..<2000 {
            let unit: Int64 = [1, 1000, 60_000, 3_600_000].randomElement(using: &rng)!
            let millis = Int64.random(in: 0...100_000, using: &rng) * unit
            let duration = Duration.milliseconds(millis)
            #expect(DurationText.parse(DurationText.format(duration)) == duration, "\(millis)ms")
        }
    }

    @Test
    func hugeValuesAreRejectedNotTrapped() {
        #expect(DurationText.parse("1e300h") == nil)
        #expect(DurationText.parse("9999999999999999s") == nil)
    }
}
