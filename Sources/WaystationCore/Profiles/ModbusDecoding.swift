import Foundation

/// A register value after decoding, scaling and rounding.
public enum MeasuredValue: Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case flag(Bool)

    public var json: JSONValue {
        switch self {
        case .number(let value): .double(value)
        case .flag(let value): .bool(value)
        }
    }

    public var description: String { json.encoded }
}

/// What one poll read: the words of each block (bits as 0 or 1).
public typealias ModbusBlockData = [ModbusReadBlock: [UInt16]]

extension ModbusRegister {
    /// Decodes this register from what a poll read: type, word order, bit, invalid markers, scale, offset.
    public func decode(from data: ModbusBlockData) -> Result<MeasuredValue, Rejection> {
        guard let words = words(in: data) else {
            return .failure(Rejection("\(name) (\(location)): not read by this poll"))
        }
        let raw: Int64
        switch type {
        case .bool:
            let word = words[0]
            if table.holdsBits { return .success(.flag(word != 0)) }
            return .success(.flag(bit.map { (word >> UInt16($0)) & 1 == 1 } ?? (word != 0)))
        case .int16: raw = Int64(Int16(bitPattern: words[0]))
        case .uint16: raw = Int64(words[0])
        case .int32: raw = Int64(Int32(bitPattern: combined(words)))
        case .uint32: raw = Int64(combined(words))
        case .float32:
            let value = Float(bitPattern: combined(words))
            guard value.isFinite else {
                return .failure(Rejection("\(name) (\(location)): the device sent \(value) (raw \(hex(words)))"))
            }
            // The shortest decimal that reads back as this Float: 12.34, not 12.340000152587891.
            let base = Double(value.description) ?? Double(value)
            return .success(.number(scaled(base, baseDecimals: Self.decimals(base))))
        }
        if invalid.contains(raw) {
            return .failure(Rejection("\(name) (\(location)): raw value \(raw) means the device has no valid reading"))
        }
        return .success(.number(scaled(Double(raw), baseDecimals: 0)))
    }

    /// The raw words of this register in `data`, or nil if no block covers it.
    func words(in data: ModbusBlockData) -> [UInt16]? {
        for (block, words) in data
        where block.table == table && block.address <= address && lastAddress <= block.lastAddress && words.count == block.count {
            let start = address - block.address
            return Array(words[start..<(start + type.width)])
        }
        return nil
    }

    private func combined(_ words: [UInt16]) -> UInt32 {
        let (high, low) = wordOrder == .big ? (words[0], words[1]) : (words[1], words[0])
        return UInt32(high) << 16 | UInt32(low)
    }

    /// raw × scale + offset, rounded to the decimals the inputs carry (0.1 × 215 is 21.5, not 21.500000000000004).
    private func scaled(_ raw: Double, baseDecimals: Int) -> Double {
        guard scale != 1 || offset != 0 else { return raw }
        let decimals = min(9, max(baseDecimals + Self.decimals(scale), Self.decimals(offset)))
        let factor = pow(10, Double(decimals))
        return ((raw * scale + offset) * factor).rounded() / factor
    }

    /// Decimal places needed to write `value` exactly (up to 9).
    static func decimals(_ value: Double) -> Int {
        for places in 0...9 {
            let shifted = value * pow(10, Double(places))
            if abs(shifted - shifted.rounded()) < 1e-9 * max(1, abs(shifted)) { return places }
        }
        return 9
    }

    private func hex(_ words: [UInt16]) -> String {
        words.map { word in
            let digits = String(word, radix: 16)
            return "0x" + String(repeating: "0", count: 4 - digits.count) + digits
        }.joined(separator: " ")
    }
}
