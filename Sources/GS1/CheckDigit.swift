/// The GS1 mod-10 check digit used by GTIN-8/12/13/14, SSCC and GLN.
public enum CheckDigit {
    /// The check digit for `digits` (the data digits, without the check digit); `nil` if any is not 0-9.
    public static func compute<S: StringProtocol>(for digits: S) -> Int? {
        var sum = 0
        var weight = 3
        // Weights 3,1,3,1… from the rightmost data digit; anything but ASCII digits has no check digit.
        for byte in digits.utf8.reversed() {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            sum += Int(byte - UInt8(ascii: "0")) * weight
            weight = 4 - weight
        }
        return (10 - sum % 10) % 10
    }

    /// Whether the last digit of `number` is its correct check digit.
    public static func isValid<S: StringProtocol>(_ number: S) -> Bool {
        guard let lastCharacter = number.last, lastCharacter.isASCII, let last = lastCharacter.wholeNumberValue,
            number.count >= 2,
            let expected = compute(for: number.dropLast())
        else { return false }
        return last == expected
    }

    /// `digits` with its check digit appended.
    public static func appending<S: StringProtocol>(to digits: S) -> String? {
        compute(for: digits).map { String(digits) + String($0) }
    }
}
