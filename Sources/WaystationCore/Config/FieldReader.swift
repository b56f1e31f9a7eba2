/// Reads one YAML mapping field by field, recording every problem with its position and path, and
/// reporting keys nobody asked for as unknown (with a "did you mean" hint).
public final class FieldReader {
    public let file: String
    public let path: String
    public let node: YAMLNode
    private let sink: IssueSink
    private var pairs: [(key: String, keyNode: YAMLNode, value: YAMLNode)] = []
    private var consumed: Set<String> = []

    init(node: YAMLNode, path: String, file: String, sink: IssueSink) {
        self.node = node
        self.path = path
        self.file = file
        self.sink = sink
        switch node.value {
        case .mapping(let pairs): self.pairs = pairs
        case .null: break
        default: sink.add(ConfigIssue(file: file, line: node.line, column: node.column, path: path, message: "expected a mapping"))
        }
    }

    /// A reader for the document root.
    public static func root(_ node: YAMLNode, file: String) -> (FieldReader, IssueSink) {
        let sink = IssueSink()
        return (FieldReader(node: node, path: "", file: file, sink: sink), sink)
    }

    public func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    public func has(_ key: String) -> Bool { pairs.contains { $0.key == key } }

    /// The raw node under `key`, marking the key as known.
    public func node(_ key: String) -> YAMLNode? {
        consumed.insert(key)
        guard let pair = pairs.first(where: { $0.key == key }) else { return nil }
        if case .null = pair.value.value { return nil }
        return pair.value
    }

    public func report(_ node: YAMLNode?, _ key: String?, _ message: String) {
        let at = node ?? self.node
        sink.add(ConfigIssue(file: file, line: at.line, column: at.column, path: key.map(childPath) ?? path, message: message))
    }

    public func nested(_ key: String) -> FieldReader? {
        guard let child = node(key) else { return nil }
        return FieldReader(node: child, path: childPath(key), file: file, sink: sink)
    }

    public func string(_ key: String, required: Bool = false) -> String? {
        guard let child = node(key) else {
            if required { report(nil, key, "is required") }
            return nil
        }
        guard case .scalar(let text) = child.value else {
            report(child, key, "expected a text value")
            return nil
        }
        return text
    }

    public func int(_ key: String, range: ClosedRange<Int>) -> Int? {
        guard let text = string(key) else { return nil }
        guard let value = Int(text) else {
            report(node(key), key, "expected a whole number, got '\(text)'")
            return nil
        }
        guard range.contains(value) else {
            report(node(key), key, "\(value) is out of range \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return value
    }

    public func duration(_ key: String, minimum: Duration = .zero) -> Duration? {
        guard let text = string(key) else { return nil }
        guard let value = DurationText.parse(text) else {
            report(node(key), key, "'\(text)' is not a duration (examples: 250ms, 10s, 5m)")
            return nil
        }
        guard value >= minimum else {
            report(node(key), key, "\(text) is below the minimum of \(DurationText.format(minimum))")
            return nil
        }
        return value
    }

    public func size(_ key: String, minimum: Int64 = 0) -> Int64? {
        guard let text = string(key) else { return nil }
        guard let value = ByteSize.parse(text) else {
            report(node(key), key, "'\(text)' is not a size (examples: 512KiB, 2GiB)")
            return nil
        }
        guard value >= minimum else {
            report(node(key), key, "\(text) is below the minimum of \(ByteSize.format(minimum))")
            return nil
        }
        return value
    }

    public func choice<T: RawRepresentable<String> & CaseIterable>(_ key: String, as type: T.Type) -> T? {
        guard let text = string(key) else { return nil }
        guard let value = T(rawValue: text) else {
            let options = T.allCases.map(\.rawValue)
            let hint = Suggestion.closest(to: text, in: options).map { " (did you mean '\($0)'?)" } ?? ""
            report(node(key), key, "'\(text)' is not one of \(options.joined(separator: ", "))\(hint)")
            return nil
        }
        return value
    }

    public func stringList(_ key: String) -> [String]? {
        guard let child = node(key) else { return nil }
        switch child.value {
        case .scalar(let text): return [text]
        case .sequence(let items):
            return items.compactMap { item in
                guard case .scalar(let text) = item.value else {
                    report(item, key, "expected a text value")
                    return nil
                }
                return text
            }
        default:
            report(child, key, "expected a text value or a list")
            return nil
        }
    }

    /// A mapping of text to text, such as a device's `set:` block.
    public func stringMap(_ key: String) -> [(String, String)]? {
        stringMapEntries(key)?.map { ($0.key, $0.value) }
    }

    /// `stringMap` with the position of every key, for messages about one entry.
    public func stringMapEntries(_ key: String) -> [(key: String, keyNode: YAMLNode, value: String)]? {
        guard let child = node(key) else { return nil }
        guard case .mapping(let pairs) = child.value else {
            report(child, key, "expected a mapping")
            return nil
        }
        return pairs.compactMap { pair in
            guard case .scalar(let text) = pair.value.value else {
                report(pair.value, "\(key).\(pair.key)", "expected a text value")
                return nil
            }
            return (pair.key, pair.keyNode, text)
        }
    }

    /// Items of a sequence, each read with its own reader.
    public func list(_ key: String) -> [FieldReader]? {
        guard let child = node(key) else { return nil }
        guard case .sequence(let items) = child.value else {
            report(child, key, "expected a list")
            return nil
        }
        return items.enumerated().map { index, item in
            FieldReader(node: item, path: "\(childPath(key))[\(index)]", file: file, sink: sink)
        }
    }

    /// Reports every key that no one read. Call after reading all known keys.
    public func finish() {
        let known = Array(consumed)
        for pair in pairs where !consumed.contains(pair.key) {
            let hint = Suggestion.closest(to: pair.key, in: known).map { " (did you mean '\($0)'?)" } ?? ""
            sink.add(
                ConfigIssue(
                    file: file, line: pair.keyNode.line, column: pair.keyNode.column, path: childPath(pair.key),
                    message: "unknown key\(hint)"))
        }
    }
}

/// Collects issues across nested readers, in document order.
public final class IssueSink {
    public private(set) var issues: [ConfigIssue] = []
    public func add(_ issue: ConfigIssue) { issues.append(issue) }
    public var sorted: [ConfigIssue] { issues.sorted { ($0.line, $0.column) < ($1.line, $1.column) } }
}

/// "Did you mean" suggestions by edit distance.
public enum Suggestion {
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= max(2, word.count / 3) ? best.0 : nil
    }

    static func distance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs)
        let b = Array(rhs)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
