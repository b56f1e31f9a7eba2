import GS1

/// Realistic barcodes with valid check digits: SSCC pallet labels, retail EAN-13, GS1-128 case labels.
public struct BarcodeFactory: Sendable {
    /// A GS1 company prefix used for everything this factory makes.
    public var companyPrefix = "4006381"

    public init() {}

    public func barcode(_ index: Int, using generator: inout some RandomNumberGenerator) -> String {
        switch index % 4 {
        case 0: return sscc(serial: index)
        case 1: return ean13(item: index % 1000)
        case 2: return caseLabel(item: index % 1000, lot: "L\(100 + index % 900)", using: &generator)
        default: return "]C1" + sscc(serial: index)
        }
    }

    /// `00` + 18-digit SSCC.
    public func sscc(serial: Int) -> String {
        let body = "3" + companyPrefix + pad(serial % 1_000_000_000, 9)
        return "00" + CheckDigit.appending(to: body)!
    }

    public func ean13(item: Int) -> String {
        CheckDigit.appending(to: companyPrefix + pad(item, 5))!
    }

    /// `(01)` GTIN-14, `(17)` expiry, `(10)` lot, in the order that needs no separator.
    public func caseLabel(item: Int, lot: String, using generator: inout some RandomNumberGenerator) -> String {
        let gtin = CheckDigit.appending(to: "1" + companyPrefix + pad(item, 5))!
        let month = Int.random(in: 1...12, using: &generator)
        return "01" + gtin + "17" + "27" + pad(month, 2) + "00" + "10" + lot
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
