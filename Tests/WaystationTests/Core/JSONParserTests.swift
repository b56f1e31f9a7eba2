import Testing

@testable import WaystationCore

@Suite("Core: JSONParser")
struct CoreJSONParserTests {
    static func parse(_ text: String) throws(JSONParser.Failure) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    @Test("a nested document keeps structure, types and key order")
    func nestedDocument() throws {
        let value = try Self.parse(#" { "b" : [1, -2.5, true, false, null, {"x": []}], "a": {"c": "d"}, "e": {} } "#)
        let expected = JSONValue.object(JSONObject([
            ("b", .array([.int(1), .double(-2.5), .bool(true), .bool(false), .null, .object(JSONObject([("x", .array([]))]))])),
            ("a", .object(JSONObject([("c", .string("d"))]))),
            ("e", .object(JSONObject())),
        ]))
        #expect(value == expected)
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object.entries.map(\.key) == ["b", "a", "e"])
    }

    @Test("string escapes", arguments: [
        (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{08}\u{0C}\n\r\t"),
        (#""\u00e9\u00E9""#, "éé"),
        (#""\u0000""#, "\u{0}"),
        (#""\ud83d\ude00""#, "😀"),
        (#""\uD834\uDD1E clef""#, "𝄞 clef"),
        (#""caf\u00e9 déjà 😀""#, "café déjà 😀"),
        (#""\u2028""#, "\u{2028}"),
        (#""""#, ""),
    ])
    func escapes(_ json: String, _ expected: String) throws {
        #expect(try Self.parse(json) == .string(expected))
    }

    @Test("numbers", arguments: [
        ("0", JSONValue.int(0)),
        ("-0", .int(0)),
        ("42", .int(42)),
        ("-17", .int(-17)),
        ("1.5", .double(1.5)),
        ("-2.5e-3", .double(-0.0025)),
        ("1E10", .double(1e10)),
        ("1e+2", .double(100)),
        ("0.000001", .double(0.000001)),
        ("9223372036854775807", .int(Int64.max)),
        ("-9223372036854775808", .int(Int64.min)),
        ("9223372036854775808", .double(9_223_372_036_854_775_808.0)),
        ("-9223372036854775809", .double(-9_223_372_036_854_775_809.0)),
        ("123456789012345678901234567890", .double(1.2345678901234568e29)),
    ])
    func numbers(_ json: String, _ expected: JSONValue) throws {
        #expect(try Self.parse(json) == expected)
    }

    @Test("nesting up to 64 levels is accepted")
    func depthLimitAccepted() throws {
        let json = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        var value = try Self.parse(json)
        var depth = 0
        while case .array(let inner) = value {
            depth += 1
            guard let first = inner.first else { break }
            value = first
        }
        #expect(depth == 64)
    }

    @Test("invalid documents throw with the byte offset of the problem", arguments: [
        ("", 0),
        ("   ", 3),
        ("[1,2,]", 5),
        (#"{"a":1,}"#, 7),
        ("01", 1),
        ("[01]", 2),
        ("-", 1),
        ("1.", 2),
        ("1e", 2),
        (".5", 0),
        ("+1", 0),
        ("1e400", 0),
        (#""abc"#, 4),
        ("\"a\u{01}b\"", 2),
        ("\"a\tb\"", 2),
        (#""\ud800""#, 7),
        (#""\ud800\u0041""#, 13),
        (#""\udc00""#, 7),
        (#""\x""#, 3),
        (#""\u12""#, 3),
        (#""\u12g4""#, 5),
        ("1 2", 2),
        (#"{"a":1} x"#, 8),
        ("[1 2]", 3),
        (#"{"a" 1}"#, 5),
        ("{1:2}", 1),
        ("{'a':1}", 1),
        ("tru", 3),
        ("nul", 3),
        ("True", 0),
        ("NaN", 0),
        ("[", 1),
        (#"{"a":"#, 5),
        ("[1,", 3),
    ])
    func invalid(_ json: String, _ offset: Int) {
        let failure = #expect(throws: JSONParser.Failure.self) { try Self.parse(json) }
        #expect(failure?.offset == offset)
        #expect(failure?.description.hasPrefix("invalid JSON at byte \(offset): ") == true)
    }

    @Test("more than 64 levels of nesting is rejected at the 65th")
    func depthLimitRejected() {
        for opener in ["[", #"{"k":"#] {
            let closer = opener == "[" ? "]" : "}"
            let json = String(repeating: opener, count: 65) + "1" + String(repeating: closer, count: 65)
            let failure = #expect(throws: JSONParser.Failure.self) { try Self.parse(json) }
            #expect(failure?.offset == 64 * opener.utf8.count)
        }
        // Far deeper than the limit: still an error, not a stack overflow.
        #expect(throws: JSONParser.Failure.self) { try Self.parse(String(repeating: "[", count: 100_000)) }
    }

    @Test("invalid UTF-8 inside a string is rejected with its offset")
    func invalidUTF8() {
        for (bytes, offset) in [([0x22, 0x61, 0xFF, 0x22], 1), ([0x22, 0xC3, 0x22], 1), ([0x22, 0xED, 0xA0, 0x80, 0x22], 1)] as [([UInt8], Int)] {
            let failure = #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(bytes) }
            #expect(failure?.offset == offset)
        }
    }

    @Test("the elements of a top-level array can be kept as the exact text they were sent as")
    func keptTexts() throws {
        let body = #"{"lane":"critical","events":[ {"b":1,"a":"x\u0041"} ,{"z":[1, 2]},"s",null ],"nested":{"events":[9]}}"#
        let (value, texts) = try JSONParser.parse(Array(body.utf8), keepingTextsOfArray: "events")
        #expect(texts == [#"{"b":1,"a":"x\u0041"}"#, #"{"z":[1, 2]}"#, #""s""#, "null"])
        guard case .object(let root) = value, case .array(let events)? = root["events"] else {
            Issue.record("not parsed: \(value)")
            return
        }
        #expect(events.count == texts.count)
        #expect(try JSONParser.parse(Array(texts[0].utf8)) == events[0])
        // Only the top-level key: a nested array of the same name is not kept.
        #expect(try JSONParser.parse(Array(#"{"x":{"events":[1]}}"#.utf8), keepingTextsOfArray: "events").texts.isEmpty)
    }
}
