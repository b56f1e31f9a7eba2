/// Cuts the human-readable form `(01)09501101530003(10)AB-123` into fields. A value runs to the next
/// `(` that opens 2 to 4 digits and `)`, or to the end; so a value cannot itself contain such a group.
struct BracketScanner {
    private let scalars: [Unicode.Scalar]
    private let end: Int
    private var index: Int

    /// Scans `scalars[start..<end]`, which starts with `(`.
    init(_ scalars: [Unicode.Scalar], start: Int, end: Int) {
        self.scalars = scalars
        self.end = end
        index = start
    }

    /// The next field, or `nil` at the end of the data.
    mutating func next() throws(GS1Error) -> RawField? {
        guard index < end else { return nil }
        guard let close = closingBracket(at: index) else { throw .malformedBracketedAI(position: index + 1) }
        let ai = String(String.UnicodeScalarView(scalars[(index + 1)..<close]))
        let definition = try AITable.definition(for: ai, position: index + 2)
        let valueStart = close + 1
        var valueEnd = valueStart
        while valueEnd < end, closingBracket(at: valueEnd) == nil { valueEnd += 1 }
        let field = RawField(
            definition: definition, aiPosition: index + 2, value: scalars[valueStart..<valueEnd],
            valuePosition: valueStart + 1)
        index = valueEnd
        return field
    }

    /// The index of the `)` if `(` at `start` opens 2 to 4 digits and `)`.
    private func closingBracket(at start: Int) -> Int? {
        guard scalars[start] == "(" else { return nil }
        var index = start + 1
        while index < end, index - start <= 4, GS1Characters.isDigit(scalars[index]) { index += 1 }
        let digits = index - start - 1
        guard (2...4).contains(digits), index < end, scalars[index] == ")" else { return nil }
        return index
    }
}
