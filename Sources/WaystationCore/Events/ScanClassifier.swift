public import GS1

/// Tells GS1 barcodes from everything else a scanner reads, and parses the GS1 ones.
///
/// A text *claims* to be GS1 when the scanner or the text itself says so:
/// - a GS1 symbology identifier (`]C1` GS1-128, `]d2` GS1 DataMatrix, `]Q3` GS1 QR, `]e0` GS1 DataBar,
///   `]J1` GS1 DotCode) or an EAN/UPC one (`]E0`, `]E4`);
/// - another symbology identifier followed by 8, 12, 13 or 14 digits (a GTIN in ITF-14, Code 128, …);
/// - the bracket form, `(` and a digit;
/// - a GS (FNC1) character anywhere;
/// - digits only, 8, 12, 13, 14 or at least 16 of them (a plain GTIN, or AIs such as `00` + SSCC);
/// - `00` and 18 digits, or `01`/`02` and 14 digits, at the start (an element string whose later fields hold
///   letters, e.g. a lot).
///
/// A claim is held to the GS1 rules: a wrong check digit, date or length makes the scan invalid, with the
/// parser's reason. Anything else ("LOC-A1", "PAL-0042", a 6-digit internal number, a URL in a plain QR code)
/// is not GS1 and is never read as AIs, even where it would happen to parse ("10-A-3" is a location, not lot
/// "-A-3"); the profile's `nonGS1` option says what becomes of it.
public enum ScanClassifier {
    public enum Outcome: Sendable, Equatable {
        case gs1(GS1ElementString)
        case notGS1
        case invalid(GS1Error)
    }

    /// Symbology identifiers of symbols that carry nothing but GS1 data.
    static let gs1Symbologies = Barcode.elementStringSymbologies.union(["]E0", "]E4"])

    public static func classify(_ barcode: String, today: GS1Date) -> Outcome {
        guard claimsGS1(barcode) else { return .notGS1 }
        switch Barcode.parse(barcode, today: today) {
        case .success(let parsed): return .gs1(parsed)
        case .failure(let error): return .invalid(error)
        }
    }

    /// Whether `barcode` says it is GS1 data (see the type's documentation).
    public static func claimsGS1(_ barcode: String) -> Bool {
        var scalars = Array(barcode.unicodeScalars)
        while let last = scalars.last, last == " " || last == "\t" || last == "\r" || last == "\n" { scalars.removeLast() }
        guard let first = scalars.first else { return false }
        if first == "]" {
            guard scalars.count >= 3 else { return false }
            if gs1Symbologies.contains(String(String.UnicodeScalarView(scalars[0..<3]))) { return true }
            let data = scalars.dropFirst(3)
            return [8, 12, 13, 14].contains(data.count) && data.allSatisfy(isDigit)
        }
        if first == "(" { return scalars.count > 1 && isDigit(scalars[1]) }
        if scalars.contains("\u{1D}") { return true }
        let leadingDigits = scalars.prefix(while: isDigit).count
        if leadingDigits == scalars.count { return [8, 12, 13, 14].contains(leadingDigits) || leadingDigits >= 16 }
        switch (scalars[0], scalars.count > 1 ? scalars[1] : " ") {
        case ("0", "0"): return leadingDigits >= 20
        case ("0", "1"), ("0", "2"): return leadingDigits >= 16
        default: return false
        }
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= 0x30 && scalar.value <= 0x39 }
}
