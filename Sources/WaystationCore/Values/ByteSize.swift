/// Parses sizes of the config file: `512KiB`, `2GiB`, `1MB`, `4096`.
public enum ByteSize {
    public static func parse(_ text: String) -> Int64? {
        let units: [(suffix: String, factor: Int64)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
            ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000),
            ("B", 1),
        ]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            let number = trimmed.dropLast(unit.suffix.count).trimmingCharacters(in: .whitespaces)
            guard let value = Double(number), value >= 0, value.isFinite else { return nil }
            let bytes = value * Double(unit.factor)
            return bytes < 9.2e18 ? Int64(bytes) : nil
        }
        return Int64(trimmed).flatMap { $0 >= 0 ? $0 : nil }
    }

    /// A compact human form: `512KiB`, `1.5MiB`.
    public static func format(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var index = 0
        while value >= 1024 && index < units.count - 1 {
            value /= 1024
            index += 1
        }
        if index == 0 || value == value.rounded() { return "\(Int64(value))\(units[index])" }
        return String(format: "%.1f%@", value, units[index])
    }
}

import Foundation
