import Foundation
import Yams

/// A YAML document reduced to what config reading needs, every node with its position.
public struct YAMLNode: Sendable {
    public enum Value: Sendable {
        case scalar(String)
        case null
        case mapping([(key: String, keyNode: YAMLNode, value: YAMLNode)])
        case sequence([YAMLNode])
    }

    public var value: Value
    public var line: Int
    public var column: Int

    /// Parses `text`; a syntax error becomes a `ConfigIssue` at the position the YAML parser reports.
    public static func parse(_ text: String, file: String) throws(ConfigIssue) -> YAMLNode {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw issue(from: error, file: file, source: text)
        } catch {
            throw ConfigIssue(file: file, line: 1, column: 1, path: "", message: "cannot parse YAML: \(error)")
        }
        guard let node else { return YAMLNode(value: .null, line: 1, column: 1) }
        return convert(node)
    }

    private static func convert(_ node: Node) -> YAMLNode {
        let line = node.mark?.line ?? 1
        let column = node.mark?.column ?? 1
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain, scalar.tag.description.hasSuffix("null") || ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
                return YAMLNode(value: .null, line: line, column: column)
            }
            return YAMLNode(value: .scalar(scalar.string), line: line, column: column)
        case .mapping(let mapping):
            let pairs = mapping.map { pair in
                let key = convert(pair.key)
                let keyText: String = if case .scalar(let text) = key.value { text } else { "" }
                return (key: keyText, keyNode: key, value: convert(pair.value))
            }
            return YAMLNode(value: .mapping(pairs), line: line, column: column)
        case .sequence(let sequence):
            return YAMLNode(value: .sequence(sequence.map(convert)), line: line, column: column)
        case .alias:
            return YAMLNode(value: .null, line: line, column: column)
        }
    }

    private static func issue(from error: YamlError, file: String, source: String) -> ConfigIssue {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return ConfigIssue(file: file, line: mark.line, column: mark.column, path: "", message: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.sorted().first ?? ""
            // Point at the repeated key: the last line that starts with it.
            var line = context.mark.line
            var column = context.mark.column
            for (index, text) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let indent = text.prefix { $0 == " " }.count
                let rest = text.dropFirst(indent)
                if rest.hasPrefix(key), rest.dropFirst(key.count).trimmingCharacters(in: .whitespaces).hasPrefix(":") {
                    line = index + 1
                    column = indent + 1
                }
            }
            return ConfigIssue(
                file: file, line: line, column: column, path: key,
                message: "duplicate key '\(key)': each key may appear once in a mapping (merge the two)")
        case .reader(let problem, _, _, _):
            return ConfigIssue(file: file, line: 1, column: 1, path: "", message: "invalid YAML: \(problem)")
        default:
            return ConfigIssue(file: file, line: 1, column: 1, path: "", message: "invalid YAML: \(error)")
        }
    }
}
