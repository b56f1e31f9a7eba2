/// The characters GS1 element strings are made of.
enum GS1Characters {
    /// GS (ASCII 29): how scanners transmit FNC1 used as a field separator.
    static let groupSeparator: Unicode.Scalar = "\u{1D}"

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 0x30 && scalar.value <= 0x39
    }

    static func digitValue(_ scalar: Unicode.Scalar) -> Int {
        Int(scalar.value) - 0x30
    }

    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value >= 0x41 && scalar.value <= 0x5A) || (scalar.value >= 0x61 && scalar.value <= 0x7A)
    }

    /// Whether `scalar` is in GS1 AI encodable character set 82 (GS1 General Specifications):
    /// `!"%&'()*+,-./0-9:;<=>?A-Z_a-z`.
    static func isInSet82(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x21, 0x22, 0x25...0x2F, 0x30...0x39, 0x3A...0x3F, 0x41...0x5A, 0x5F, 0x61...0x7A: true
        default: false
        }
    }

    /// Trailing characters a scanner may append: CR, LF, tab, space.
    static func isTrailingWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\r" || scalar == "\n"
    }

    /// `'A'` for printable ASCII, `U+001D` for anything else, so error messages stay readable.
    static func quoted(_ scalar: Unicode.Scalar) -> String {
        if scalar.value >= 0x20 && scalar.value <= 0x7E { return "'\(Character(scalar))'" }
        return unicodeName(scalar)
    }

    /// Printable ASCII kept, anything else as `<U+001D>`.
    static func escaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value <= 0x7E {
                result.unicodeScalars.append(scalar)
            } else {
                result += "<\(unicodeName(scalar))>"
            }
        }
        return result
    }

    private static func unicodeName(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
