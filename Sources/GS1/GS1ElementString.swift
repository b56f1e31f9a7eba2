/// A scanned barcode read as GS1 data: its elements in order, with typed accessors.
/// A plain EAN-8, UPC-A, EAN-13 or GTIN-14 becomes one element, AI 01 with the GTIN-14.
public struct GS1ElementString: Sendable, Hashable {
    /// How the data was written.
    public enum Form: Sendable, Hashable {
        /// Digits of an EAN-8, UPC-A, EAN-13 or GTIN-14 (ITF-14) without AIs.
        case plainGTIN
        /// AIs without brackets, GS (FNC1) between fields, as scanners transmit them.
        case separated
        /// The human-readable form, `(01)09501101530003(10)AB-123`.
        case bracketed
    }

    /// The text as scanned, unchanged.
    public let text: String
    /// The symbology identifier the text started with, e.g. `]C1`.
    public let symbologyIdentifier: String?
    public let form: Form
    /// Every element in the order scanned (an AI repeated with the same value appears twice).
    public let elements: [GS1Element]
    /// The digits of a plain barcode as scanned (8, 12, 13 or 14); `nil` for element strings.
    public let plainGTIN: String?

    public init(
        text: String, symbologyIdentifier: String?, form: Form, elements: [GS1Element], plainGTIN: String?
    ) {
        self.text = text
        self.symbologyIdentifier = symbologyIdentifier
        self.form = form
        self.elements = elements
        self.plainGTIN = plainGTIN
    }

    /// The first element with AI `ai`.
    public func element(_ ai: String) -> GS1Element? {
        elements.first { $0.ai == ai }
    }

    /// The data of the first element with AI `ai`, as scanned.
    public func value(_ ai: String) -> String? {
        element(ai)?.value
    }

    /// AI 00, 18 digits.
    public var sscc: String? { value("00") }
    /// AI 01 (or a plain barcode) as GTIN-14.
    public var gtin: String? { value("01") }
    /// AI 02: the GTIN of the trade items contained in a logistic unit.
    public var contentGTIN: String? { value("02") }
    /// AI 10.
    public var lot: String? { value("10") }
    /// AI 21.
    public var serial: String? { value("21") }
    /// AI 11.
    public var productionDate: GS1Date? { date("11") }
    /// AI 13.
    public var packagingDate: GS1Date? { date("13") }
    /// AI 15.
    public var bestBefore: GS1Date? { date("15") }
    /// AI 17.
    public var expiry: GS1Date? { date("17") }
    /// AI 37 (count of trade items in a logistic unit), else AI 30 (variable count).
    public var count: Int? {
        for ai in ["37", "30"] {
            if case .count(let count)? = element(ai)?.typed { return count }
        }
        return nil
    }
    /// Every measure (AIs 310n-316n, 330n) in scan order.
    public var measures: [GS1Measure] {
        elements.compactMap { element in
            if case .measure(let measure) = element.typed { return measure }
            return nil
        }
    }
    /// AI 400.
    public var orderNumber: String? { value("400") }
    /// AI 420, or the postal code of AI 421.
    public var shipToPostalCode: String? {
        if let code = value("420") { return code }
        if case .postalCode(_, let code)? = element("421")?.typed { return code }
        return nil
    }
    /// The ISO 3166 numeric country code of AI 421.
    public var shipToCountry: String? {
        if case .postalCode(let country, _)? = element("421")?.typed { return country }
        return nil
    }
    /// GLNs of AIs 410-417 by name: `shipTo`, `billTo`, `purchaseFrom`, `shipFor`, `location`, `payTo`,
    /// `productionLocation`, `party`.
    public var glns: [String: String] {
        var glns: [String: String] = [:]
        for element in elements where element.ai.hasPrefix("41") && element.ai.count == 3 {
            if case .identifier(let gln) = element.typed, glns[element.name] == nil { glns[element.name] = gln }
        }
        return glns
    }

    /// The elements in the human-readable bracket form, e.g. `(01)09501101530003(17)270131`.
    public var bracketed: String {
        elements.map { "(\($0.ai))\($0.value)" }.joined()
    }

    private func date(_ ai: String) -> GS1Date? {
        if case .date(let date)? = element(ai)?.typed { return date }
        return nil
    }
}
