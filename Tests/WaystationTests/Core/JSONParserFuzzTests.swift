import Testing

@testable import WaystationCore

/// Seeded fuzzing of the payload parser: garbage and mutated device payloads must never crash it.
@Suite("Core: JSONParser fuzz")
struct CoreJSONParserFuzzTests {
    static let seeds: [String] = [
        #"{"barcode": "]C1000340063810000000017", "qty": 1, "ts": "2026-11-22T10:00:00.123Z", "msgId": "sc-1-4711"}"#,
        #"{"a":[1,2.5e-3,-0,true,false,null,{"b":"\u00e9\ud83d\ude00\n"}],"":{}}"#,
        #"[[[[["deep"]]]], -12345678901234567890, 1E+40]"#,
        #""\"\\\/\b\f\n\r\t\u0000""#,
        "  {\"k\" :\r\n\t\"v\" }  ",
    ]

    /// Bytes that steer random inputs into the parser's interesting paths.
    static let alphabet: [UInt8] = Array(#"{}[]:,"\/ubfnrtE+-.0123456789eatlsu \#t\#n"#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xE2, 0xED, 0xF0, 0xFF]

    /// Parses or throws; never traps. A failure's offset lies within the input.
    static func check(_ bytes: [UInt8], parsed: inout Int, failed: inout Int) {
        do {
            let value = try JSONParser.parse(bytes)
            parsed += 1
            // What parses re-encodes to JSON that parses again and encodes to the same text.
            let text = value.encoded
            if let again = try? JSONParser.parse(Array(text.utf8)) {
                #expect(again.encoded == text, "re-encoding changed \(bytes)")
            } else {
                Issue.record("encoded form of \(bytes) does not parse: \(text)")
            }
        } catch {
            failed += 1
            if !(0...bytes.count).contains(error.offset) {
                Issue.record("offset \(error.offset) outside input of \(bytes.count) bytes: \(bytes)")
            }
        }
    }

    @Test("100,000+ random and mutated inputs: each parses or throws, nothing crashes")
    func fuzz() {
        var rng = CoreSplitMix64(seed: 0x5EED_F00D)
        var parsed = 0
        var failed = 0
        let clock = ContinuousClock()
        let start = clock.now

        // 1. Random short byte strings, mostly from the JSON alphabet.
        for _ in 0..<50_000 {
            let length = Int.random(in: 0...12, using: &rng)
            let fromAlphabet = Int.random(in: 0..<10, using: &rng) < 8
            let bytes = (0..<length).map { _ in
                fromAlphabet ? Self.alphabet.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
            }
            Self.check(bytes, parsed: &parsed, failed: &failed)
        }

        // 2. Valid documents with one to three mutations: flip, insert, delete, duplicate a slice, truncate.
        let seedBytes = Self.seeds.map { Array($0.utf8) }
        for _ in 0..<50_000 {
            var bytes = seedBytes.randomElement(using: &rng)!
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let position = Int.random(in: 0...bytes.count, using: &rng)
                switch Int.random(in: 0..<5, using: &rng) {
                case 0 where position < bytes.count:
                    bytes[position] = Self.alphabet.randomElement(using: &rng)!
                case 1:
                    bytes.insert(Self.alphabet.randomElement(using: &rng)!, at: position)
                case 2 where position < bytes.count:
                    bytes.remove(at: position)
                case 3 where position < bytes.count:
                    let end = min(bytes.count, position + Int.random(in: 1...8, using: &rng))
                    bytes.insert(contentsOf: bytes[position..<end], at: position)
                default:
                    bytes = Array(bytes.prefix(position))
                }
            }
            Self.check(bytes, parsed: &parsed, failed: &failed)
        }

        let elapsed = clock.now - start
        #expect(parsed + failed == 100_000)
        // Both outcomes occur, so the inputs really reach the parser's success and failure paths.
        #expect(parsed > 1000)
        #expect(failed > 1000)
        // Generous bound for a loaded debug build; typical is far below it.
        #expect(elapsed < .seconds(30), "fuzzing took \(elapsed)")
    }

    @Test("every valid seed parses")
    func seedsAreValid() throws {
        for seed in Self.seeds {
            _ = try JSONParser.parse(Array(seed.utf8))
        }
    }
}
