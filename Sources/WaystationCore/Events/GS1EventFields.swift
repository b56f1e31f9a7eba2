import GS1

/// Where the content of a GS1 barcode goes in an event: identifiers in `subject`, so upstream systems can
/// correlate, and everything else in `data`, by the element's name, dates as `YYYY-MM-DD`.
struct GS1EventFields {
    /// `sscc`, `gtin` (AI 01 or a plain EAN/UPC, as GTIN-14), `contentGtin` (AI 02), `lot`, `serial`, `order`
    /// (AI 400) and `gln` (AIs 410-417, an object by role: `shipTo`, `billTo`, `location`, …), in that order.
    private(set) var subject = JSONObject()
    /// The other elements in scan order: `expiry`, `bestBefore`, `productionDate`, `packagingDate`, `sellBy`,
    /// `dueDate`, `count` (AI 37), `variableCount` (AI 30), `measures` (AIs 310n-316n, 330n: `name`, `value`,
    /// `unit`), `shipToPostalCode` and `shipToCountry` (AIs 420, 421), `variant`, `countryOfOrigin`, … and
    /// `aiNNNN` for an AI of predefined length this version has no name for.
    private(set) var data = JSONObject()

    static let subjectAIs: Set<String> = ["00", "01", "02", "10", "21", "400"]

    init(_ barcode: GS1ElementString) {
        subject["sscc"] = barcode.sscc.map(JSONValue.string)
        subject["gtin"] = barcode.gtin.map(JSONValue.string)
        subject["contentGtin"] = barcode.contentGTIN.map(JSONValue.string)
        subject["lot"] = barcode.lot.map(JSONValue.string)
        subject["serial"] = barcode.serial.map(JSONValue.string)
        subject["order"] = barcode.orderNumber.map(JSONValue.string)
        var glns = JSONObject()
        var measures: [JSONValue] = []
        var measuresSeen: Set<String> = []
        // An AI may repeat only with the same value (the parser refuses anything else): the first one counts.
        for element in barcode.elements where !Self.subjectAIs.contains(element.ai) {
            switch element.typed {
            case .identifier(let gln):
                if glns[element.name] == nil { glns[element.name] = .string(gln) }
            case .date(let date):
                add(element.name, .string(date.iso))
            case .count(let count):
                add(element.name, .int(Int64(count)))
            case .measure(let measure):
                guard measuresSeen.insert(measure.ai).inserted else { continue }
                measures.append(.object(JSONObject([
                    ("name", .string(measure.name)), ("value", .double(measure.value)), ("unit", .string(measure.unit)),
                ])))
                if measures.count == 1 { data["measures"] = .array([]) }  // keeps the first measure's position
            case .postalCode(let country, let code):
                add("shipToPostalCode", .string(code))
                add("shipToCountry", .string(country))
            case .text(let text):
                add(element.name, .string(text))
            }
        }
        if !measures.isEmpty { data["measures"] = .array(measures) }
        if !glns.isEmpty { subject["gln"] = .object(glns) }
    }

    private mutating func add(_ key: String, _ value: JSONValue) {
        if data[key] == nil { data[key] = value }
    }
}
