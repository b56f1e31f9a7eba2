/// Checks one field against its AI — length, character set, check digit, date, decimals — and types it.
enum FieldValidator {
    static func element(_ field: RawField, today: GS1Date) throws(GS1Error) -> GS1Element {
        let definition = field.definition
        let ai = definition.ai
        let value = field.value
        switch definition.length {
        case .fixed(let length):
            guard value.count == length else {
                throw .wrongLength(ai: ai, expected: length, found: value.count, digits: definition.isNumeric)
            }
        case .variable(let maximum):
            guard !value.isEmpty else { throw .emptyValue(ai: ai, position: field.valuePosition) }
            guard value.count <= maximum else {
                throw .tooLong(ai: ai, field: definition.noun, maximum: maximum, digits: definition.isNumeric)
            }
            if definition.content == .countryAndPostalCode, value.count < 4 {
                throw .tooShort(ai: ai, field: definition.noun, minimum: 4)
            }
        }
        for (offset, scalar) in value.enumerated() {
            let digitsOnly = definition.isNumeric || (definition.content == .countryAndPostalCode && offset < 3)
            let allowed = digitsOnly ? GS1Characters.isDigit(scalar) : GS1Characters.isInSet82(scalar)
            guard allowed else {
                throw .invalidCharacter(
                    ai: ai, character: scalar, position: field.valuePosition + offset, digitsOnly: digitsOnly)
            }
        }
        let text = String(String.UnicodeScalarView(value))
        return GS1Element(
            ai: ai, value: text, title: definition.title, name: definition.name,
            typed: try typed(text, value, definition, today: today))
    }

    private static func typed(
        _ text: String, _ value: ArraySlice<Unicode.Scalar>, _ definition: AIDefinition, today: GS1Date
    ) throws(GS1Error) -> GS1Value {
        let ai = definition.ai
        switch definition.content {
        case .gtin:
            try checkDigit(text, ai: ai, identifier: "GTIN")
            return .identifier(text)
        case .sscc:
            try checkDigit(text, ai: ai, identifier: "SSCC")
            return .identifier(text)
        case .gln:
            try checkDigit(text, ai: ai, identifier: "GLN")
            return .identifier(text)
        case .date:
            return .date(try DateRules.date(value.map(GS1Characters.digitValue), ai: ai, today: today))
        case .count:
            return .count(value.reduce(0) { $0 * 10 + GS1Characters.digitValue($1) })
        case .measure(let name, let unit):
            let decimals = GS1Characters.digitValue(ai.unicodeScalars.last ?? "0")
            return .measure(
                GS1Measure(
                    ai: ai, name: name, unit: unit, digits: value.map(GS1Characters.digitValue), decimals: decimals))
        case .countryAndPostalCode:
            return .postalCode(country: String(text.prefix(3)), code: String(text.dropFirst(3)))
        case .digits, .text:
            return .text(text)
        }
    }

    /// Throws unless the last digit of `digits` (all 0-9) is their mod-10 check digit.
    static func checkDigit(_ digits: String, ai: String?, identifier: String) throws(GS1Error) {
        guard let expected = CheckDigit.compute(for: digits.dropLast()),
            let found = digits.last?.wholeNumberValue, found != expected
        else { return }
        throw .checkDigit(ai: ai, identifier: identifier, found: found, expected: expected)
    }
}
