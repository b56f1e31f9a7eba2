import Testing

@testable import GS1

private let gs = "\u{1D}"

@Suite("GS1: API and AI table")
struct GS1APITests {
    @Test("measures carry name, unit, decimals, text and value")
    func measures() throws {
        let barcode = try Barcode.parse(
            "(01)95012345678903(3103)001250(3302)012345(3105)123456(3100)000500", today: GS1Fixtures.today
        ).get()
        let measures = barcode.measures
        #expect(measures.map(\.ai) == ["3103", "3302", "3105", "3100"])
        #expect(measures.map(\.name) == ["netWeight", "grossWeight", "netWeight", "netWeight"])
        #expect(measures.map(\.unit) == ["kg", "kg", "kg", "kg"])
        #expect(measures.map(\.decimals) == [3, 2, 5, 0])
        #expect(measures.map(\.text) == ["1.250", "123.45", "1.23456", "500"])
        #expect(measures.map(\.value) == [1.25, 123.45, 1.23456, 500])
        #expect(barcode.element("3103")?.title == "NET WEIGHT (kg)")
    }

    @Test("every measure family has its name and unit")
    func measureFamilies() throws {
        let expected = [
            "310": ("netWeight", "kg"), "311": ("length", "m"), "312": ("width", "m"), "313": ("height", "m"),
            "314": ("area", "m2"), "315": ("netVolume", "l"), "316": ("netVolume", "m3"), "330": ("grossWeight", "kg"),
        ]
        for (family, (name, unit)) in expected {
            for decimals in 0...5 {
                let barcode = try Barcode.parse("(\(family)\(decimals))000001", today: GS1Fixtures.today).get()
                let measure = try #require(barcode.measures.first)
                #expect(measure.name == name && measure.unit == unit && measure.decimals == decimals)
                #expect(measure.text == (decimals == 0 ? "1" : "0." + String(repeating: "0", count: decimals - 1) + "1"))
            }
        }
    }

    @Test("count prefers AI 37 to AI 30")
    func countPrecedence() throws {
        let both = try Barcode.parse("(02)10614141000415(30)7(37)24", today: GS1Fixtures.today).get()
        #expect(both.count == 24)
        #expect(both.element("30")?.typed == .count(7))
        #expect(try Barcode.parse("(01)95012345678903(30)7", today: GS1Fixtures.today).get().count == 7)
        #expect(try Barcode.parse("(01)95012345678903", today: GS1Fixtures.today).get().count == nil)
    }

    @Test("elements keep order, raw values, titles and names; the bracket form renders them")
    func elements() throws {
        let text = "]C1" + "0109501101530003" + "17270100" + "10AB-123" + gs + "21X1" + "\r\n"
        let barcode = try Barcode.parse(text, today: GS1Fixtures.today).get()
        #expect(barcode.text == text)
        #expect(barcode.form == .separated)
        #expect(barcode.symbologyIdentifier == "]C1")
        #expect(barcode.plainGTIN == nil)
        #expect(barcode.elements.map(\.ai) == ["01", "17", "10", "21"])
        #expect(barcode.elements.map(\.value) == ["09501101530003", "270100", "AB-123", "X1"])
        #expect(barcode.elements.map(\.title) == ["GTIN", "USE BY or EXPIRY", "BATCH/LOT", "SERIAL"])
        #expect(barcode.elements.map(\.name) == ["gtin", "expiry", "lot", "serial"])
        #expect(barcode.elements[1].typed == .date(GS1Date(year: 2027, month: 1, day: 31)))
        #expect(barcode.value("10") == "AB-123")
        #expect(barcode.value("99") == nil)
        #expect(barcode.bracketed == "(01)09501101530003(17)270100(10)AB-123(21)X1")
        #expect(barcode.expiry?.iso == "2027-01-31")
    }

    @Test("a plain barcode is one AI 01 element with the GTIN-14")
    func plainGTIN() throws {
        let barcode = try Barcode.parse("036000291452", today: GS1Fixtures.today).get()
        #expect(barcode.form == .plainGTIN)
        #expect(barcode.plainGTIN == "036000291452")
        #expect(barcode.elements == [
            GS1Element(ai: "01", value: "00036000291452", title: "GTIN", name: "gtin", typed: .identifier("00036000291452"))
        ])
        #expect(barcode.bracketed == "(01)00036000291452")
    }

    @Test("GLNs by name, postal code with country")
    func glnsAndPostalCodes() throws {
        let barcode = try Barcode.parse(
            "(00)106141411234567897(410)9501101020016(413)0614141000005(421)27620095", today: GS1Fixtures.today
        ).get()
        #expect(barcode.glns == ["shipTo": "9501101020016", "shipFor": "0614141000005"])
        #expect(barcode.shipToCountry == "276")
        #expect(barcode.shipToPostalCode == "20095")
        #expect(barcode.element("421")?.typed == .postalCode(country: "276", code: "20095"))
        let domestic = try Barcode.parse("(420)20095", today: GS1Fixtures.today).get()
        #expect(domestic.shipToPostalCode == "20095" && domestic.shipToCountry == nil)
    }

    @Test("every known AI has the length its first two digits give, and predefined ones agree with the table")
    func tableConsistency() {
        #expect(AITable.known.count == 77)
        for (ai, definition) in AITable.known {
            #expect(definition.ai == ai)
            let prefix = AITable.prefix(of: ai)
            #expect(AITable.aiLength(prefix: prefix) == ai.count, "AI \(ai)")
            if let predefined = AITable.predefinedValueLength(prefix: prefix) {
                #expect(definition.length == .fixed(predefined), "AI \(ai)")
                #expect(!definition.needsSeparator)
            } else {
                #expect(definition.needsSeparator, "AI \(ai)")
            }
        }
        // Required AIs of the issue.
        for ai in ["00", "01", "02", "10", "11", "13", "15", "17", "21", "30", "37", "400", "420", "421"]
            + (410...415).map(String.init) + ["310", "311", "312", "313", "314", "315", "316", "330"].map({ $0 + "3" })
        {
            #expect(AITable.known[ai] != nil, "AI \(ai)")
        }
    }

    @Test("Barcode.parse and the throwing initialiser agree")
    func entryPoints() throws {
        let text = "(01)09501101530003(10)A"
        let viaResult = try Barcode.parse(text, today: GS1Fixtures.today).get()
        let viaInit = try GS1ElementString(parsing: text, today: GS1Fixtures.today)
        #expect(viaResult == viaInit)
    }

    @Test("CheckDigit.isValid refuses a non-ASCII check digit")
    func nonASCIICheckDigit() {
        #expect(!CheckDigit.isValid("400638133393\u{661}"))  // ARABIC-INDIC DIGIT ONE
        #expect(!CheckDigit.isValid("400638133393\u{FF11}"))  // FULLWIDTH DIGIT ONE
        #expect(CheckDigit.isValid("4006381333931"))
    }
}
