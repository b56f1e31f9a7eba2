import Testing

@testable import WaystationCore

@Suite("Core: JSONPointer")
struct CoreJSONPointerTests {
    /// The example document of RFC 6901 section 5.
    static let document: JSONValue = {
        let text = #"{"foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4, "i\\j": 5, "k\"l": 6, " ": 7, "m~n": 8}"#
        return try! JSONParser.parse(Array(text.utf8))
    }()

    @Test("RFC 6901 section 5 examples", arguments: [
        ("/foo", JSONValue.array([.string("bar"), .string("baz")])),
        ("/foo/0", .string("bar")),
        ("/foo/1", .string("baz")),
        ("/", .int(0)),
        ("/a~1b", .int(1)),
        ("/c%d", .int(2)),
        ("/e^f", .int(3)),
        ("/g|h", .int(4)),
        (#"/i\j"#, .int(5)),
        (#"/k"l"#, .int(6)),
        ("/ ", .int(7)),
        ("/m~0n", .int(8)),
    ])
    func rfcExamples(_ text: String, _ expected: JSONValue) throws {
        let pointer = try #require(JSONPointer(text))
        #expect(pointer.resolve(in: Self.document) == expected)
        #expect(pointer.description == text)
    }

    @Test("the empty pointer is the whole document")
    func wholeDocument() throws {
        let pointer = try #require(JSONPointer(""))
        #expect(pointer.tokens.isEmpty)
        #expect(pointer.resolve(in: Self.document) == Self.document)
    }

    @Test("~1 is decoded before ~0, so ~01 means the key '~1'")
    func escapeOrder() throws {
        #expect(JSONPointer("/~01")?.tokens == ["~1"])
        #expect(JSONPointer("/~10")?.tokens == ["/0"])
        #expect(JSONPointer("/a~1b~0c/~0~1")?.tokens == ["a/b~c", "~/"])
        let document = try JSONParser.parse(Array(#"{"~1": "tilde-one", "/": "slash"}"#.utf8))
        #expect(JSONPointer("/~01")?.resolve(in: document) == .string("tilde-one"))
        #expect(JSONPointer("/~1")?.resolve(in: document) == .string("slash"))
    }

    @Test("nested objects and arrays")
    func nested() throws {
        let document = try JSONParser.parse(Array(#"{"scan": {"items": [{"code": "A"}, {"code": "B"}]}}"#.utf8))
        #expect(JSONPointer("/scan/items/1/code")?.resolve(in: document) == .string("B"))
        #expect(JSONPointer("/scan/items/0")?.resolve(in: document) == .object(JSONObject([("code", .string("A"))])))
    }

    @Test("what does not exist resolves to nil", arguments: [
        "/missing", "/foo/2", "/foo/-1", "/foo/-", "/foo/x", "/foo/0/deeper", "//", "/a~1b/c", "/FOO",
    ])
    func missing(_ text: String) throws {
        let pointer = try #require(JSONPointer(text))
        #expect(pointer.resolve(in: Self.document) == nil)
    }

    @Test("text that does not start with '/' is not a pointer", arguments: ["foo", "barcode", "#/foo", " /foo", "~0"])
    func invalid(_ text: String) {
        #expect(JSONPointer(text) == nil)
    }

    @Test
    func strictRFC6901() throws {
        #expect(JSONPointer("/m~n") == nil)
        #expect(JSONPointer("/a~2") == nil)
        #expect(try #require(JSONPointer("/foo/01")).resolve(in: Self.document) == nil)
        #expect(try #require(JSONPointer("/foo/+1")).resolve(in: Self.document) == nil)
    }
}
