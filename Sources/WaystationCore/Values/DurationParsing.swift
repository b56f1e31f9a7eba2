/// Parses the human durations of the config file: `250ms`, `10s`, `5m`, `1h`.
public enum DurationText {
    public static func parse(_ text: String) -> Duration? {
        let units: [(suffix: String, millis: Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            let number = trimmed.dropLast(unit.suffix.count)
            // "5ms" must not be read as "5m" + "s": only accept the suffix if what precedes is a number.
            guard let value = Double(number), value >= 0, value.isFinite else { continue }
            let millis = (value * unit.millis).rounded()
            // Anything beyond about 292 million years is not a duration anyone means.
            guard millis < 9.2e18 else { return nil }
            return .milliseconds(Int64(millis))
        }
        return nil
    }

    /// The inverse of `parse`, for messages and status output.
    public static func format(_ duration: Duration) -> String {
        let millis = duration.milliseconds
        if millis % 3_600_000 == 0 && millis > 0 { return "\(millis / 3_600_000)h" }
        if millis % 60_000 == 0 && millis > 0 { return "\(millis / 60_000)m" }
        if millis % 1000 == 0 && millis > 0 { return "\(millis / 1000)s" }
        return "\(millis)ms"
    }
}

extension Duration {
    /// Whole milliseconds, rounded toward zero.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Seconds as a floating-point number.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

import Foundation
