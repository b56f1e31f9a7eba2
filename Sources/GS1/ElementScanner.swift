/// One AI and its data as cut from the text, not yet checked.
struct RawField {
    let definition: AIDefinition
    /// 1-based position of the AI's first digit.
    let aiPosition: Int
    let value: ArraySlice<Unicode.Scalar>
    /// 1-based position of the first data character (where the data would be, if empty).
    let valuePosition: Int
}

/// Cuts an element string as scanners transmit it (AIs without brackets, GS as FNC1 separator) into fields.
/// A predefined-length field ends after its length; any other ends at GS or at the end of the data. One GS
/// may follow any field, and one may lead (FNC1 in first position).
struct ElementScanner {
    private let scalars: [Unicode.Scalar]
    private let end: Int
    private var index: Int

    /// Scans `scalars[start..<end]`.
    init(_ scalars: [Unicode.Scalar], start: Int, end: Int) {
        self.scalars = scalars
        self.end = end
        index = start
        if index < end, scalars[index] == GS1Characters.groupSeparator { index += 1 }
    }

    /// The next field, or `nil` at the end of the data.
    mutating func next() throws(GS1Error) -> RawField? {
        guard index < end else { return nil }
        if scalars[index] == GS1Characters.groupSeparator { throw .unexpectedSeparator(position: index + 1) }
        let aiStart = index
        let definition = try readAI()
        let valueStart = index
        if case .fixed(let length) = definition.length, !definition.needsSeparator {
            while index < end, index - valueStart < length, scalars[index] != GS1Characters.groupSeparator {
                index += 1
            }
        } else {
            while index < end, scalars[index] != GS1Characters.groupSeparator { index += 1 }
        }
        let field = RawField(
            definition: definition, aiPosition: aiStart + 1, value: scalars[valueStart..<index],
            valuePosition: valueStart + 1)
        if index < end, scalars[index] == GS1Characters.groupSeparator { index += 1 }
        return field
    }

    /// Reads the AI at `index`: its length follows from its first two digits.
    private mutating func readAI() throws(GS1Error) -> AIDefinition {
        let start = index
        var digits: [Unicode.Scalar] = []
        var length = 2
        while digits.count < length {
            guard index < end else {
                throw .incompleteAI(String(String.UnicodeScalarView(digits)), position: start + 1)
            }
            let scalar = scalars[index]
            guard GS1Characters.isDigit(scalar) else { throw .expectedAI(found: scalar, position: index + 1) }
            digits.append(scalar)
            index += 1
            if digits.count == 2 {
                length = AITable.aiLength(
                    prefix: GS1Characters.digitValue(digits[0]) * 10 + GS1Characters.digitValue(digits[1]))
            }
        }
        return try AITable.definition(for: String(String.UnicodeScalarView(digits)), position: start + 1)
    }
}
