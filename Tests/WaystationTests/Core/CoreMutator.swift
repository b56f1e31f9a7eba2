/// Byte-level mutations for the seeded fuzz tests: flip, insert, delete, duplicate a slice, truncate.
struct CoreMutator {
    var rng: CoreSplitMix64
    let alphabet: [UInt8]

    mutating func mutate(_ input: [UInt8], times: ClosedRange<Int> = 1...3) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: times, using: &rng) {
            let position = Int.random(in: 0...bytes.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0 where position < bytes.count:
                bytes[position] = alphabet.randomElement(using: &rng)!
            case 1:
                bytes.insert(alphabet.randomElement(using: &rng)!, at: position)
            case 2 where position < bytes.count:
                bytes.remove(at: position)
            case 3 where position < bytes.count:
                let end = min(bytes.count, position + Int.random(in: 1...8, using: &rng))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            case 4 where Int.random(in: 0..<4, using: &rng) == 0:
                bytes = Array(bytes.prefix(position))
            default:
                break
            }
        }
        return bytes
    }
}
