/// Exponential backoff with full jitter: the n-th delay is uniform in [0, min(max, initial · 2ⁿ)].
public struct Backoff: Sendable {
    public var initial: Duration
    public var max: Duration
    public private(set) var attempt = 0

    public init(initial: Duration, max: Duration) {
        self.initial = initial
        self.max = max
    }

    public mutating func next(using generator: inout some RandomNumberGenerator) -> Duration {
        let ceiling = Swift.min(max.seconds, initial.seconds * Double(1 << Swift.min(attempt, 30)))
        attempt += 1
        return .milliseconds(Int64(Double.random(in: 0...ceiling, using: &generator) * 1000))
    }

    public mutating func next() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return next(using: &generator)
    }

    public mutating func reset() { attempt = 0 }
}
