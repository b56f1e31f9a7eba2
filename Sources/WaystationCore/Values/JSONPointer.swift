/// An RFC 6901 JSON pointer such as `/scan/code` or `/items/0`.
public struct JSONPointer: Sendable, Equatable, CustomStringConvertible {
    public let tokens: [String]
    public let description: String

    /// `nil` unless `text` is empty (the whole document) or starts with `/`.
    public init?(_ text: String) {
        guard text.isEmpty || text.hasPrefix("/") else { return nil }
        // "~" only ever appears as "~0" or "~1".
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() where scalar == "~" {
            guard index + 1 < scalars.count, scalars[index + 1] == "0" || scalars[index + 1] == "1" else { return nil }
        }
        description = text
        tokens = text.isEmpty
            ? []
            : text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
                $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            }
    }

    /// The value at this pointer inside `document`, if any.
    public func resolve(in document: JSONValue) -> JSONValue? {
        var current = document
        for token in tokens {
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let array):
                // RFC 6901: "0", or digits without a leading zero; no sign.
                guard token == "0" || (token.first != "0" && !token.isEmpty && token.utf8.allSatisfy { (48...57).contains($0) }),
                    let index = Int(token), index < array.count
                else { return nil }
                current = array[index]
            default:
                return nil
            }
        }
        return current
    }
}

import Foundation
