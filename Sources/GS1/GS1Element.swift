/// One element string: an application identifier and its data.
public struct GS1Element: Sendable, Hashable {
    /// The AI digits, e.g. `"01"`, `"3103"`.
    public let ai: String
    /// The data as scanned, e.g. `"270131"`.
    public let value: String
    /// The GS1 data title, e.g. `"USE BY or EXPIRY"`; `"UNKNOWN"` for an unknown AI of predefined length.
    public let title: String
    /// A camel-case key, e.g. `"expiry"`; `"ai"` + the digits for an unknown AI.
    public let name: String
    /// The data checked and typed.
    public let typed: GS1Value

    public init(ai: String, value: String, title: String, name: String, typed: GS1Value) {
        self.ai = ai
        self.value = value
        self.title = title
        self.name = name
        self.typed = typed
    }
}

/// The typed meaning of an element's data.
public enum GS1Value: Sendable, Hashable {
    /// A GTIN-14, SSCC or GLN whose check digit holds.
    case identifier(String)
    /// A date, century and day 00 resolved.
    case date(GS1Date)
    case count(Int)
    case measure(GS1Measure)
    /// AI 421: ISO 3166 numeric country code and postal code.
    case postalCode(country: String, code: String)
    /// Lot, serial, order number, postal code, or the digits of an AI without further meaning here.
    case text(String)
}

/// A measure with implied decimals (AIs 310n-316n, 330n).
public struct GS1Measure: Sendable, Hashable {
    public let ai: String
    /// `netWeight`, `length`, `width`, `height`, `area`, `netVolume` or `grossWeight`.
    public let name: String
    /// `kg`, `m`, `m2`, `l` or `m3`.
    public let unit: String
    /// The decimal point position: the AI's last digit.
    public let decimals: Int
    /// The value in decimal notation without leading zeros, e.g. `"1.250"` for `001250` in AI 3103.
    public let text: String
    /// The value as a number (the closest `Double` to `text`).
    public let value: Double

    /// The measure of six `digits` with `decimals` implied decimals.
    init(ai: String, name: String, unit: String, digits: [Int], decimals: Int) {
        self.ai = ai
        self.name = name
        self.unit = unit
        self.decimals = decimals
        let all = digits.map(String.init).joined()
        var whole = String(all.dropLast(decimals).drop { $0 == "0" })
        if whole.isEmpty { whole = "0" }
        text = decimals == 0 ? whole : whole + "." + all.suffix(decimals)
        var divisor = 1.0
        for _ in 0..<decimals { divisor *= 10 }
        value = Double(digits.reduce(0) { $0 * 10 + $1 }) / divisor
    }
}
