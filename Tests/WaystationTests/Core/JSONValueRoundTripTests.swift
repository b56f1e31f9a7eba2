import Testing

@testable import WaystationCore

/// Random JSON values for round-trip tests. Doubles are never whole numbers below 1e15, which `encoded`
/// deliberately writes as integers (see `wholeDoublesEncodeAsIntegers`).
struct CoreJSONValueGenerator {
    var rng: CoreSplitMix64

    static let interestingScalars: [Unicode.Scalar] = [
        "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "é", "ß", "€", "\u{2028}", "\u{FEFF}",
        "😀", "𝄞", "中", " ",
    ]

    mutating func string() -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...8, using: &rng) {
            if Bool.random(using: &rng) {
                scalars.append(Self.interestingScalars.randomElement(using: &rng)!)
            } else {
                scalars.append(Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &rng)))
            }
        }
        return String(scalars)
    }

    mutating func double() -> Double {
        while true {
            let value: Double = switch Int.random(in: 0..<4, using: &rng) {
            case 0: Double.random(in: -1...1, using: &rng)
            case 1: Double.random(in: -1e6...1e6, using: &rng)
            case 2: Double.random(in: 1e15...1e300, using: &rng) * (Bool.random(using: &rng) ? 1 : -1)
            default: Double.random(in: 1e-300...1e-5, using: &rng)
            }
            if value != value.rounded() || abs(value) >= 1e15 { return value }
        }
    }

    mutating func value(depth: Int = 0) -> JSONValue {
        let choice = Int.random(in: 0..<(depth >= 4 ? 5 : 7), using: &rng)
        switch choice {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int(Bool.random(using: &rng) ? Int64.random(in: -1000...1000, using: &rng) : Int64.random(in: .min ... .max, using: &rng))
        case 3: return .double(double())
        case 4: return .string(string())
        case 5: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in value(depth: depth + 1) })
        default:
            var object = JSONObject()
            for _ in 0..<Int.random(in: 0...4, using: &rng) { object[string()] = value(depth: depth + 1) }
            return .object(object)
        }
    }
}

@Suite("Core: JSONValue encoding")
struct CoreJSONValueRoundTripTests {
    static let handPicked: [JSONValue] = [
        .null, .bool(true), .bool(false), .int(0), .int(-1), .int(.max), .int(.min), .double(0.1), .double(-2.5e-7),
        .double(1e300), .double(1.7976931348623157e308), .double(.leastNonzeroMagnitude), .string(""), .string("a\"b\\c/d"),
        .string("\u{0}\u{1}\u{8}\u{C}\u{1F}\n\r\t"), .string("😀𝄞€é"), .array([]), .object(JSONObject()),
        .array([.null, .array([.array([])]), .object(JSONObject([("", .string(""))]))]),
        .object(JSONObject([("z", .int(1)), ("a", .int(2)), ("m", .object(JSONObject([("k\"ey", .bool(false))])))])),
    ]

    @Test("parse(encode(x)) == x for hand-picked values", arguments: handPicked)
    func handPickedRoundTrip(_ value: JSONValue) throws {
        #expect(try JSONParser.parse(Array(value.encoded.utf8)) == value, "\(value.encoded)")
    }

    @Test("parse(encode(x)) == x for 5,000 random values")
    func randomRoundTrip() throws {
        var generator = CoreJSONValueGenerator(rng: CoreSplitMix64(seed: 0x15_0A))
        for _ in 0..<5000 {
            let value = generator.value()
            let text = value.encoded
            #expect(try JSONParser.parse(Array(text.utf8)) == value, "\(text)")
        }
    }

    @Test("encoding is compact, escapes what JSON requires, and keeps key order")
    func encodedText() {
        let value = JSONValue.object(JSONObject([
            ("b", .array([.int(1), .bool(true), .null])), ("a", .string("x\"y\\z\n\u{1}")),
        ]))
        #expect(value.encoded == #"{"b":[1,true,null],"a":"x\"y\\z\n\u0001"}"#)
    }

    @Test("whole doubles encode as integers; non-finite doubles as null")
    func wholeDoublesEncodeAsIntegers() {
        #expect(JSONValue.double(3).encoded == "3")
        #expect(JSONValue.double(-42).encoded == "-42")
        #expect(JSONValue.double(-0.0).encoded == "0")
        #expect(JSONValue.double(.infinity).encoded == "null")
        #expect(JSONValue.double(.nan).encoded == "null")
    }

    @Test("JSONObject assignment replaces in place and nil removes")
    func objectEditing() {
        var object = JSONObject([("a", .int(1)), ("b", .int(2))])
        object["a"] = .int(3)
        #expect(object.entries.map(\.key) == ["a", "b"])
        #expect(object["a"] == .int(3))
        object["a"] = nil
        #expect(object.entries.map(\.key) == ["b"])
        #expect(object.encoded == #"{"b":2}"#)
    }
}
