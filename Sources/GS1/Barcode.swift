/// The entry point: a scanned text to GS1 data.
public enum Barcode {
    /// Symbology identifiers whose data is a GS1 element string: GS1-128, GS1 DataMatrix, GS1 QR Code,
    /// GS1 DataBar, GS1 DotCode. Any other identifier (`]E0` EAN-13/UPC-A, `]E4` EAN-8, `]I1` ITF-14, …)
    /// carries a plain GTIN.
    public static let elementStringSymbologies: Set<String> = ["]C1", "]d2", "]Q3", "]e0", "]J1"]

    /// Parses `text` as a scanner emits it: trailing CR, LF, tabs and spaces are dropped; then a symbology
    /// identifier decides, or without one, `(` means the bracket form, 8, 12, 13 or 14 digits a plain GTIN,
    /// and anything else an element string with GS separators. `today` anchors the century of YYMMDD dates.
    public static func parse(_ text: String, today: GS1Date) -> Result<GS1ElementString, GS1Error> {
        Result { () throws(GS1Error) in try GS1ElementString(parsing: text, today: today) }
    }
}

extension GS1ElementString {
    /// Parses `text` as `Barcode.parse(_:today:)` does, throwing the reason it is not valid.
    public init(parsing text: String, today: GS1Date) throws(GS1Error) {
        let scalars = Array(text.unicodeScalars)
        var end = scalars.count
        while end > 0, GS1Characters.isTrailingWhitespace(scalars[end - 1]) { end -= 1 }
        guard end > 0 else { throw .emptyBarcode }

        if scalars[0] == "]" {
            guard end >= 3, GS1Characters.isLetter(scalars[1]),
                GS1Characters.isLetter(scalars[2]) || GS1Characters.isDigit(scalars[2])
            else { throw .invalidSymbologyIdentifier(String(String.UnicodeScalarView(scalars[0..<min(end, 3)]))) }
            let identifier = String(String.UnicodeScalarView(scalars[0..<3]))
            guard end > 3 else { throw .noDataAfterSymbologyIdentifier(identifier) }
            if Barcode.elementStringSymbologies.contains(identifier) {
                var scanner = ElementScanner(scalars, start: 3, end: end)
                try self.init(text: text, symbology: identifier, form: .separated, today: today) { () throws(GS1Error) in
                    try scanner.next()
                }
            } else {
                try self.init(plain: text, scalars, start: 3, end: end, symbology: identifier)
            }
        } else if scalars[0] == "(" {
            var scanner = BracketScanner(scalars, start: 0, end: end)
            try self.init(text: text, symbology: nil, form: .bracketed, today: today) { () throws(GS1Error) in
                try scanner.next()
            }
        } else if [8, 12, 13, 14].contains(end), scalars[0..<end].allSatisfy(GS1Characters.isDigit) {
            try self.init(plain: text, scalars, start: 0, end: end, symbology: nil)
        } else {
            var scanner = ElementScanner(scalars, start: 0, end: end)
            try self.init(text: text, symbology: nil, form: .separated, today: today) { () throws(GS1Error) in
                try scanner.next()
            }
        }
    }

    /// Checks the fields `next` yields, in order; refuses no fields and an AI repeated with a different value.
    private init(
        text: String, symbology: String?, form: Form, today: GS1Date,
        next: () throws(GS1Error) -> RawField?
    ) throws(GS1Error) {
        var elements: [GS1Element] = []
        var valuesByAI: [String: String] = [:]
        while let field = try next() {
            let element = try FieldValidator.element(field, today: today)
            if let earlier = valuesByAI.updateValue(element.value, forKey: element.ai), earlier != element.value {
                throw .conflictingRepeat(ai: element.ai, position: field.aiPosition)
            }
            elements.append(element)
        }
        // Only separators: no element at all.
        guard !elements.isEmpty else { throw symbology.map(GS1Error.noDataAfterSymbologyIdentifier) ?? .emptyBarcode }
        self.init(text: text, symbologyIdentifier: symbology, form: form, elements: elements, plainGTIN: nil)
    }

    /// A plain EAN-8, UPC-A, EAN-13 or GTIN-14 in `scalars[start..<end]`.
    private init(plain text: String, _ scalars: [Unicode.Scalar], start: Int, end: Int, symbology: String?)
        throws(GS1Error)
    {
        for index in start..<end where !GS1Characters.isDigit(scalars[index]) {
            throw .invalidCharacter(ai: nil, character: scalars[index], position: index + 1, digitsOnly: true)
        }
        let digits = String(String.UnicodeScalarView(scalars[start..<end]))
        guard [8, 12, 13, 14].contains(digits.count) else { throw .gtinLength(found: digits.count) }
        try FieldValidator.checkDigit(digits, ai: nil, identifier: "GTIN")
        let gtin = String(repeating: "0", count: 14 - digits.count) + digits
        let element = GS1Element(ai: "01", value: gtin, title: "GTIN", name: "gtin", typed: .identifier(gtin))
        self.init(text: text, symbologyIdentifier: symbology, form: .plainGTIN, elements: [element], plainGTIN: digits)
    }
}
