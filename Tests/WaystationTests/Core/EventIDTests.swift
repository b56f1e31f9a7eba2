import Foundation
import Testing

@testable import WaystationCore

@Suite("Core: EventID")
struct CoreEventIDTests {
    static let hexDigits = Set("0123456789abcdef")

    /// Checks the 8-4-4-4-12 lowercase form.
    static func isCanonicalText(_ text: String) -> Bool {
        let characters = Array(text)
        guard characters.count == 36 else { return false }
        for (index, character) in characters.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard character == "-" else { return false }
            } else {
                guard hexDigits.contains(character) else { return false }
            }
        }
        return true
    }

    @Test("UUIDv7: 48-bit millisecond prefix, version 7, RFC 9562 variant")
    func layout() {
        var rng = CoreSplitMix64(seed: 7)
        for millis: Int64 in [0, 1, 1_795_341_600_123, 0xFFFF_FFFF_FFFF, 0x0123_4567_89AB] {
            let bytes = EventID.make(millis: millis, using: &rng)
            #expect(bytes.count == 16)
            let prefix = bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            #expect(prefix == UInt64(millis))
            #expect(bytes[6] >> 4 == 0x7)
            #expect(bytes[8] >> 6 == 0b10)
            let text = EventID.text(bytes)
            #expect(Self.isCanonicalText(text), "\(text)")
            let hex = String(UInt64(millis), radix: 16)
            let padded = String(repeating: "0", count: 12 - hex.count) + hex
            #expect(text.replacingOccurrences(of: "-", with: "").hasPrefix(padded))
            #expect(Array(text)[14] == "7")
            #expect("89ab".contains(Array(text)[19]))
            #expect(UUID(uuidString: text) != nil)
        }
    }

    @Test("negative clocks clamp to a zero timestamp")
    func negativeMillis() {
        var rng = CoreSplitMix64(seed: 8)
        let text = EventID.text(EventID.make(millis: -5, using: &rng))
        #expect(text.hasPrefix("00000000-0000-7"))
    }

    @Test("10,000 ids in the same millisecond are all different")
    func uniqueWithinOneMillisecond() {
        var generator = SystemRandomNumberGenerator()
        var seen = Set<String>()
        for _ in 0..<10_000 {
            seen.insert(EventID.text(EventID.make(millis: 1_795_341_600_123, using: &generator)))
        }
        #expect(seen.count == 10_000)
    }

    @Test("the random part comes from the generator: same seed same id, another seed another id")
    func randomPartFollowsGenerator() {
        var first = CoreSplitMix64(seed: 42)
        var again = CoreSplitMix64(seed: 42)
        var other = CoreSplitMix64(seed: 43)
        let a = EventID.make(millis: 1000, using: &first)
        #expect(a == EventID.make(millis: 1000, using: &again))
        #expect(a != EventID.make(millis: 1000, using: &other))
        // At least 74 random bits: across many ids every random nibble position takes more than one value.
        var rng = CoreSplitMix64(seed: 44)
        let ids = (0..<256).map { _ in Array(EventID.text(EventID.make(millis: 1000, using: &rng))) }
        for position in 0..<36 where position >= 15 && ![18, 19, 23].contains(position) {
            #expect(Set(ids.map { $0[position] }).count > 1, "nibble at \(position) never changes")
        }
    }

    @Test("ids sort by creation time in text form")
    func sortsByTime() {
        var rng = CoreSplitMix64(seed: 9)
        let millis = (0..<500).map { _ in Int64.random(in: 0...0xFFFF_FFFF_FFFF, using: &rng) }.sorted()
        let texts = millis.map { EventID.text(EventID.make(millis: $0, using: &rng)) }
        for (earlier, later) in zip(texts, texts.dropFirst()) where earlier.prefix(13) != later.prefix(13) {
            #expect(earlier < later)
        }
    }

    @Test("randomUUIDString: version 4, variant bits, canonical text, unique")
    func randomUUID() {
        var seen = Set<String>()
        for _ in 0..<1000 {
            let text = EventID.randomUUIDString()
            #expect(Self.isCanonicalText(text), "\(text)")
            #expect(Array(text)[14] == "4")
            #expect("89ab".contains(Array(text)[19]))
            #expect(UUID(uuidString: text) != nil)
            seen.insert(text)
        }
        #expect(seen.count == 1000)
    }
}
