import Testing

@testable import GS1

/// A fixed-seed property test over 120,000 generated inputs: random bytes, random printable text, random AIs
/// with random data in every carrier, and mutated valid element strings. Every input must either parse into
/// data that holds up (valid check digits and dates; re-written with GS separators it parses to the same
/// elements) or be refused with a non-empty reason.
@Suite("GS1: fuzz")
struct GS1FuzzTests {
    static let inputsPerKind = 30_000
    static let prefixes = ["", "", "]C1", "]d2", "]Q3", "]e0", "]E0", "]E4", "(", gs, "]", "]C"]
    static let gs = "\u{1D}"

    @Test("120,000 inputs: parsed soundly or refused with a reason", .timeLimit(.minutes(1)))
    func fuzz() {
        var rng = GS1SplitMix64(seed: 0x6751_2026)
        var stats = Stats()
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<Self.inputsPerKind { check(randomBytes(&rng), &stats) }
            for _ in 0..<Self.inputsPerKind { check(randomPrintable(&rng), &stats) }
            for _ in 0..<Self.inputsPerKind { check(randomAIs(&rng), &stats) }
            for _ in 0..<Self.inputsPerKind { check(mutatedValid(&rng), &stats) }
        }
        print("GS1 fuzz: \(stats.parsed + stats.refused) inputs, \(stats.parsed) parsed, \(stats.refused) refused, \(stats.reasons.count) distinct reason kinds, \(elapsed)")
        #expect(stats.parsed + stats.refused == 4 * Self.inputsPerKind)
        #expect(stats.problems.isEmpty, "\(stats.problems.prefix(10))")
        // The generators reach deep: many inputs parse, and refusals cover the error kinds.
        #expect(stats.parsed > 10_000)
        #expect(stats.reasons.count >= 18, "\(stats.reasons.sorted())")
    }

    struct Stats {
        var parsed = 0
        var refused = 0
        var reasons: Set<String> = []
        var problems: [String] = []
    }

    func check(_ input: String, _ stats: inout Stats) {
        switch Barcode.parse(input, today: GS1Fixtures.today) {
        case .failure(let error):
            stats.refused += 1
            let reason = error.description
            if reason.isEmpty { stats.problems.append("empty reason for \(GS1Fixtures.visible(input))") }
            stats.reasons.insert(Mirror(reflecting: error).children.first?.label ?? reason)
        case .success(let barcode):
            stats.parsed += 1
            if let problem = unsound(barcode) { stats.problems.append("\(problem): \(GS1Fixtures.visible(input))") }
        }
    }

    /// What is wrong with a parse result, if anything.
    func unsound(_ barcode: GS1ElementString) -> String? {
        if barcode.elements.isEmpty { return "no elements" }
        for element in barcode.elements {
            switch element.typed {
            case .identifier(let digits):
                if !CheckDigit.isValid(digits) { return "bad check digit in \(element.ai)" }
            case .date(let date):
                if !date.isValid { return "invalid date in \(element.ai)" }
            case .count(let count):
                if count < 0 || count > 99_999_999 { return "bad count" }
            case .measure(let measure):
                if !measure.value.isFinite || measure.value < 0 { return "bad measure" }
            case .postalCode, .text:
                break
            }
        }
        if let gtin = barcode.gtin, gtin.count != 14 { return "GTIN not 14 digits" }
        if let sscc = barcode.sscc, sscc.count != 18 { return "SSCC not 18 digits" }
        // Re-written as GS1-128 with a GS after every field, it must parse to the same elements.
        let rewritten = "]C1" + barcode.elements.map { $0.ai + $0.value }.joined(separator: Self.gs)
        guard case .success(let again) = Barcode.parse(rewritten, today: GS1Fixtures.today) else {
            return "rewritten form refused"
        }
        if again.elements != barcode.elements { return "rewritten form differs" }
        return nil
    }

    func randomBytes(_ rng: inout GS1SplitMix64) -> String {
        let bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Digits, brackets, GS, CR/LF and printable ASCII, weighted towards digits.
    func randomPrintable(_ rng: inout GS1SplitMix64) -> String {
        let alphabet = Array("0123456789012345678901234567890123456789()]\u{1D}\r\n ABCXYZabc-./!#é")
        let prefix = Self.prefixes.randomElement(using: &rng)!
        return prefix + GS1Generator.string(alphabet, count: Int.random(in: 0...48, using: &rng), using: &rng)
    }

    /// Random AIs (known and unknown) with random data of random length, in a random carrier.
    func randomAIs(_ rng: inout GS1SplitMix64) -> String {
        let ais = GS1Generator.ais + ["03", "04", "14", "19", "23", "3106", "3200", "3650", "418", "7003", "8200", "90", "99", "5"]
        let alphabets = [GS1Generator.digits, GS1Generator.digits, GS1Generator.set82, Array("0123456789\u{1D}(")]
        let bracketed = Bool.random(using: &rng)
        var text = bracketed ? "" : Self.prefixes.randomElement(using: &rng)!
        for _ in 0..<Int.random(in: 1...5, using: &rng) {
            let ai = ais.randomElement(using: &rng)!
            let alphabet = alphabets.randomElement(using: &rng)!
            let value = GS1Generator.string(alphabet, count: Int.random(in: 0...22, using: &rng), using: &rng)
            text += bracketed ? "(\(ai))\(value)" : ai + value + (Bool.random(using: &rng) ? Self.gs : "")
        }
        return text
    }

    /// A valid element string, plain GTIN or bracket form with up to three random edits.
    func mutatedValid(_ rng: inout GS1SplitMix64) -> String {
        let sample = GS1Generator.sample(today: GS1Fixtures.today, using: &rng)
        let forms = [
            sample.separated(using: &rng), "]C1" + sample.separated(using: &rng), sample.bracketed,
            CheckDigit.appending(to: GS1Generator.string(GS1Generator.digits, count: 12, using: &rng))!,
        ]
        var scalars = Array(forms.randomElement(using: &rng)!.unicodeScalars)
        let edits: [Unicode.Scalar] = Array("0123456789()]\u{1D}A \r".unicodeScalars)
        for _ in 0..<Int.random(in: 0...3, using: &rng) {
            let index = Int.random(in: 0...scalars.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0 where index < scalars.count: scalars[index] = edits.randomElement(using: &rng)!
            case 1: scalars.insert(edits.randomElement(using: &rng)!, at: index)
            case 2 where index < scalars.count: scalars.remove(at: index)
            case 3: scalars.removeSubrange(index...)
            case 4 where index + 1 < scalars.count: scalars.swapAt(index, index + 1)
            default: break
            }
        }
        return String(String.UnicodeScalarView(scalars))
    }
}
