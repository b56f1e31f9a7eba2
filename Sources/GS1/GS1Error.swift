/// Why a barcode is not valid GS1 data. Positions are 1-based character (Unicode scalar) positions in the
/// scanned text, counting any symbology identifier; `description` is the precise, human-readable reason.
public enum GS1Error: Error, Hashable, Sendable, CustomStringConvertible {
    /// Nothing left once trailing CR, LF, tabs and spaces are removed.
    case emptyBarcode
    /// Text starting with `]` that is not `]` + letter + letter or digit.
    case invalidSymbologyIdentifier(String)
    /// A symbology identifier with nothing after it.
    case noDataAfterSymbologyIdentifier(String)
    /// A GS separator where an AI must start (two in a row, or one after a leading FNC1).
    case unexpectedSeparator(position: Int)
    /// A character that cannot start or continue an AI.
    case expectedAI(found: Unicode.Scalar, position: Int)
    /// The data ends inside an AI.
    case incompleteAI(String, position: Int)
    /// An AI that is neither known nor of a predefined length.
    case unknownAI(String, position: Int)
    /// A `(` in bracket form not followed by 2 to 4 digits and `)`.
    case malformedBracketedAI(position: Int)
    /// A fixed-length field of the wrong length.
    case wrongLength(ai: String, expected: Int, found: Int, digits: Bool)
    /// A variable-length field over its maximum length.
    case tooLong(ai: String, field: String, maximum: Int, digits: Bool)
    /// A variable-length field under its minimum length.
    case tooShort(ai: String, field: String, minimum: Int)
    /// A variable-length field with no data.
    case emptyValue(ai: String, position: Int)
    /// A character not allowed in the field (`ai` is `nil` in a plain GTIN).
    case invalidCharacter(ai: String?, character: Unicode.Scalar, position: Int, digitsOnly: Bool)
    /// A wrong mod-10 check digit in a GTIN, SSCC or GLN (`ai` is `nil` in a plain GTIN).
    case checkDigit(ai: String?, identifier: String, found: Int, expected: Int)
    /// A date whose month is not 01-12.
    case monthOutOfRange(ai: String, month: Int)
    /// A date whose day does not exist in its month.
    case dayOutOfRange(ai: String, day: Int, year: Int, month: Int)
    /// A measure AI (31nn-36nn) whose decimal point position is 6-9.
    case decimalPointOutOfRange(ai: String, indicator: Int)
    /// The same AI twice with different values.
    case conflictingRepeat(ai: String, position: Int)
    /// A plain barcode that is not 8, 12, 13 or 14 digits long.
    case gtinLength(found: Int)

    public var description: String {
        switch self {
        case .emptyBarcode:
            return "empty barcode"
        case .invalidSymbologyIdentifier(let text):
            return "invalid symbology identifier '\(GS1Characters.escaped(text))'"
        case .noDataAfterSymbologyIdentifier(let identifier):
            return "no data after symbology identifier \(GS1Characters.escaped(identifier))"
        case .unexpectedSeparator(let position):
            return "unexpected GS separator at position \(position)"
        case .expectedAI(let found, let position):
            return "expected an AI at position \(position), found \(GS1Characters.quoted(found))"
        case .incompleteAI(let digits, let position):
            return "incomplete AI \(digits) at position \(position)"
        case .unknownAI(let ai, let position):
            return "unknown AI \(ai) at position \(position)"
        case .malformedBracketedAI(let position):
            return "malformed AI in brackets at position \(position)"
        case .wrongLength(let ai, let expected, let found, let digits):
            return "AI \(ai): expected \(expected) \(digits ? "digits" : "characters"), found \(found)"
        case .tooLong(let ai, let field, let maximum, let digits):
            return "AI \(ai): \(field) longer than \(maximum) \(digits ? "digits" : "characters")"
        case .tooShort(let ai, let field, let minimum):
            return "AI \(ai): \(field) shorter than \(minimum) characters"
        case .emptyValue(let ai, let position):
            return "AI \(ai): empty value at position \(position)"
        case .invalidCharacter(let ai, let character, let position, let digitsOnly):
            let prefix = ai.map { "AI \($0): " } ?? ""
            let rule = digitsOnly ? "expected a digit" : "not in the GS1 character set 82"
            return "\(prefix)invalid character \(GS1Characters.quoted(character)) at position \(position), \(rule)"
        case .checkDigit(let ai, let identifier, let found, let expected):
            let prefix = ai.map { "AI \($0): " } ?? ""
            return "\(prefix)\(identifier) check digit \(found), expected \(expected)"
        case .monthOutOfRange(let ai, let month):
            return "AI \(ai): month \(Self.twoDigits(month)) out of range"
        case .dayOutOfRange(let ai, let day, let year, let month):
            return "AI \(ai): day \(Self.twoDigits(day)) out of range for \(year)-\(Self.twoDigits(month))"
        case .decimalPointOutOfRange(let ai, let indicator):
            return "AI \(ai): decimal point position \(indicator) out of range 0-5"
        case .conflictingRepeat(let ai, let position):
            return "AI \(ai) repeated at position \(position) with a different value"
        case .gtinLength(let found):
            return "expected a GTIN of 8, 12, 13 or 14 digits, found \(found) digits"
        }
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
