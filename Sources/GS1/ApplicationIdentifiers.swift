/// How long an AI's data field is.
enum AILength: Sendable, Hashable {
    case fixed(Int)
    case variable(maximum: Int)
}

/// What an AI's data field holds, and so how it is checked and typed.
enum AIContent: Sendable, Hashable {
    case gtin, sscc, gln
    /// YYMMDD, day 00 meaning the last day of the month.
    case date
    case count
    case measure(name: String, unit: String)
    /// Digits with no further meaning here (unknown AIs of predefined length, variant, country).
    case digits
    /// GS1 character set 82.
    case text
    /// AI 421: ISO 3166 numeric country code (N3) + postal code (X..9).
    case countryAndPostalCode
}

/// One application identifier: its data field and names.
struct AIDefinition: Sendable {
    let ai: String
    /// The GS1 data title, e.g. `BATCH/LOT`.
    let title: String
    /// A camel-case key, e.g. `lot`.
    let name: String
    /// How the field is named in error messages, e.g. `lot`.
    let noun: String
    let length: AILength
    let content: AIContent

    /// Whether every character must be a digit.
    var isNumeric: Bool {
        switch content {
        case .text, .countryAndPostalCode: false
        default: true
        }
    }

    /// Whether a GS must end the field when another follows: everything but the predefined-length AIs.
    var needsSeparator: Bool {
        AITable.predefinedValueLength(prefix: AITable.prefix(of: ai)) == nil
    }
}

/// The AIs this module knows, and the GS1 rules for AIs it does not.
enum AITable {
    /// The known AIs by their digits.
    static let known: [String: AIDefinition] = {
        var table: [String: AIDefinition] = [:]
        func add(_ ai: String, _ title: String, _ name: String, _ noun: String, _ length: AILength, _ content: AIContent) {
            table[ai] = AIDefinition(ai: ai, title: title, name: name, noun: noun, length: length, content: content)
        }
        add("00", "SSCC", "sscc", "SSCC", .fixed(18), .sscc)
        add("01", "GTIN", "gtin", "GTIN", .fixed(14), .gtin)
        add("02", "CONTENT", "content", "GTIN", .fixed(14), .gtin)
        add("10", "BATCH/LOT", "lot", "lot", .variable(maximum: 20), .text)
        add("11", "PROD DATE", "productionDate", "date", .fixed(6), .date)
        add("12", "DUE DATE", "dueDate", "date", .fixed(6), .date)
        add("13", "PACK DATE", "packagingDate", "date", .fixed(6), .date)
        add("15", "BEST BEFORE or BEST BY", "bestBefore", "date", .fixed(6), .date)
        add("16", "SELL BY", "sellBy", "date", .fixed(6), .date)
        add("17", "USE BY or EXPIRY", "expiry", "date", .fixed(6), .date)
        add("20", "VARIANT", "variant", "variant", .fixed(2), .digits)
        add("21", "SERIAL", "serial", "serial", .variable(maximum: 20), .text)
        add("235", "TPX", "thirdPartySerial", "third-party serial", .variable(maximum: 28), .text)
        add("240", "ADDITIONAL ID", "additionalID", "additional ID", .variable(maximum: 30), .text)
        add("241", "CUST. PART No.", "customerPartNumber", "customer part number", .variable(maximum: 30), .text)
        add("30", "VAR. COUNT", "variableCount", "count", .variable(maximum: 8), .count)
        add("37", "COUNT", "count", "count", .variable(maximum: 8), .count)
        let measures: [(family: String, title: String, name: String, unit: String)] = [
            ("310", "NET WEIGHT (kg)", "netWeight", "kg"),
            ("311", "LENGTH (m)", "length", "m"),
            ("312", "WIDTH (m)", "width", "m"),
            ("313", "HEIGHT (m)", "height", "m"),
            ("314", "AREA (m2)", "area", "m2"),
            ("315", "NET VOLUME (l)", "netVolume", "l"),
            ("316", "NET VOLUME (m3)", "netVolume", "m3"),
            ("330", "GROSS WEIGHT (kg)", "grossWeight", "kg"),
        ]
        for measure in measures {
            for decimals in 0...5 {
                add(measure.family + String(decimals), measure.title, measure.name, measure.name, .fixed(6),
                    .measure(name: measure.name, unit: measure.unit))
            }
        }
        add("400", "ORDER NUMBER", "orderNumber", "order number", .variable(maximum: 30), .text)
        let glns = [
            ("410", "SHIP TO LOC", "shipTo"), ("411", "BILL TO", "billTo"), ("412", "PURCHASE FROM", "purchaseFrom"),
            ("413", "SHIP FOR LOC", "shipFor"), ("414", "LOC No.", "location"), ("415", "PAY TO", "payTo"),
            ("416", "PROD/SERV LOC", "productionLocation"), ("417", "PARTY", "party"),
        ]
        for (ai, title, name) in glns {
            add(ai, title, name, "GLN", .fixed(13), .gln)
        }
        add("420", "SHIP TO POST", "shipToPostalCode", "postal code", .variable(maximum: 20), .text)
        add("421", "SHIP TO POST", "shipToPostalCodeWithCountry", "postal code with country code",
            .variable(maximum: 12), .countryAndPostalCode)
        add("422", "ORIGIN", "countryOfOrigin", "country code", .fixed(3), .digits)
        return table
    }()

    /// The first two digits of `ai` as a number.
    static func prefix(of ai: String) -> Int {
        let digits = ai.unicodeScalars.prefix(2).map(GS1Characters.digitValue)
        return digits.count == 2 ? digits[0] * 10 + digits[1] : -1
    }

    /// How many digits the AIs starting with `prefix` have (fixed by GS1 for each pair of first digits);
    /// 2 for prefixes GS1 has not allocated.
    static func aiLength(prefix: Int) -> Int {
        switch prefix {
        case 23...25, 40...42, 71: 3
        case 31...36, 39, 43, 70, 72, 80...82: 4
        default: 2
        }
    }

    /// The data length of the AIs that need no separator, by their first two digits (the GS1 General
    /// Specifications' table of predefined lengths). AI 23 left that table when AI 235 (variable) was allocated.
    static func predefinedValueLength(prefix: Int) -> Int? {
        switch prefix {
        case 0: 18
        case 1...3: 14
        case 4: 16
        case 11...19: 6
        case 20: 2
        case 31...36: 6
        case 41: 13
        default: nil
        }
    }

    /// The definition for the AI `ai` starting at `position`: a known AI, or an unknown one of predefined
    /// length (digits only), which is all a parser needs to split it correctly.
    static func definition(for ai: String, position: Int) throws(GS1Error) -> AIDefinition {
        if let definition = known[ai] { return definition }
        let prefix = prefix(of: ai)
        let scalars = Array(ai.unicodeScalars)
        if (31...36).contains(prefix), scalars.count == 4, GS1Characters.digitValue(scalars[3]) > 5 {
            throw .decimalPointOutOfRange(ai: ai, indicator: GS1Characters.digitValue(scalars[3]))
        }
        if let length = predefinedValueLength(prefix: prefix), aiLength(prefix: prefix) == scalars.count {
            return AIDefinition(ai: ai, title: "UNKNOWN", name: "ai" + ai, noun: "value", length: .fixed(length),
                                content: .digits)
        }
        throw .unknownAI(ai, position: position)
    }
}
