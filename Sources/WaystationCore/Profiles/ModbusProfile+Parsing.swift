extension ModbusProfile {
    /// Reads `registers:` and `emit:` of a profile whose transport is `modbus`. Every problem goes to the
    /// reader's sink with its position; returns nil if there was one.
    static func parse(_ reader: FieldReader) -> ModbusProfile? {
        guard let items = reader.list("registers") else {
            if !reader.has("registers") { reader.report(nil, "registers", "is required for a Modbus profile (a list of registers)") }
            return nil
        }
        if items.isEmpty { reader.report(reader.node("registers"), "registers", "must list at least one register") }
        var parsed: [(register: ModbusRegister, reader: FieldReader)] = []
        var failed = false
        for item in items {
            defer { item.finish() }
            guard let register = parseRegister(item) else {
                failed = true
                continue
            }
            if let first = parsed.first(where: { $0.register.name == register.name }) {
                item.report(item.node("name"), "name", "duplicate register name '\(register.name)' (first on line \(first.register.line))")
                failed = true
                continue
            }
            if let clash = parsed.first(where: { overlaps($0.register, register) }) {
                item.report(
                    item.node("address"), "address",
                    "\(register.location) overlaps '\(clash.register.name)' (\(clash.register.location), line \(clash.register.line))")
                failed = true
            }
            parsed.append((register, item))
        }
        let registers = parsed.map(\.register)
        let emit = parseEmit(reader.nested("emit"), registers: registers)
        guard !failed, let emit, !registers.isEmpty else { return nil }
        let profile = ModbusProfile(registers: registers, emit: emit)
        if profile.metrics.isEmpty {
            reader.report(reader.node("registers"), "registers", "every register is the stable flag; list at least one to measure")
            return nil
        }
        return profile
    }

    /// Two registers overlap if they share an address, unless they are different bits of one register.
    static func overlaps(_ lhs: ModbusRegister, _ rhs: ModbusRegister) -> Bool {
        guard lhs.table == rhs.table, lhs.address <= rhs.lastAddress, rhs.address <= lhs.lastAddress else { return false }
        if let leftBit = lhs.bit, let rightBit = rhs.bit, lhs.address == rhs.address, lhs.type == .bool, rhs.type == .bool {
            return leftBit == rightBit
        }
        return true
    }

    private static func parseRegister(_ item: FieldReader) -> ModbusRegister? {
        let name = item.string("name", required: true)
        let table = item.choice("table", as: ModbusTable.self)
        if table == nil && !item.has("table") {
            item.report(nil, "table", "is required (\(ModbusTable.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let address = item.int("address", range: 0...65535)
        if address == nil && !item.has("address") { item.report(nil, "address", "is required (0...65535)") }
        var type = item.choice("type", as: ModbusValueType.self)
        if type == nil && !item.has("type") {
            if table?.holdsBits == true {
                type = .bool
            } else {
                item.report(nil, "type", "is required (\(ModbusValueType.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        let wordOrder = item.choice("wordOrder", as: ModbusWordOrder.self)
        let bit = item.int("bit", range: 0...15)
        let scale = item.number("scale")
        let offset = item.number("offset")
        let unit = item.string("unit")
        let deadband = item.number("deadband")
        let invalid = item.integerList("invalid")
        guard let name, let table, let address, let type else { return nil }
        var valid = true
        func refuse(_ key: String, _ message: String) {
            item.report(item.node(key), key, message)
            valid = false
        }
        if !isMetricName(name) {
            refuse("name", "'\(name)' must start with a letter and use only letters, digits, '_', '.' and '-'")
        }
        if table.holdsBits && type != .bool {
            refuse("type", "a \(table.rawValue) holds one bit: the type must be bool, not \(type.rawValue)")
        }
        if address + type.width - 1 > 65535 {
            refuse("address", "a \(type.rawValue) at \(address) runs past the last address 65535")
        }
        if wordOrder != nil && type.width == 1 { refuse("wordOrder", "has no meaning for a 16-bit \(type.rawValue)") }
        if bit != nil && (type != .bool || table.holdsBits) {
            refuse("bit", "only a bool read from a holding or input register has a bit")
        }
        if type == .bool {
            for (key, present) in [("scale", scale != nil), ("offset", offset != nil), ("deadband", deadband != nil), ("unit", unit != nil)]
            where present {
                refuse(key, "has no meaning for a bool register")
            }
        }
        if let scale, scale == 0 { refuse("scale", "must not be 0") }
        if let deadband, deadband < 0 { refuse("deadband", "must not be negative") }
        if invalid != nil && !type.isInteger { refuse("invalid", "lists raw integer values; \(type.rawValue) has none") }
        guard valid else { return nil }
        return ModbusRegister(
            name: name, table: table, address: address, type: type, wordOrder: wordOrder ?? .big, bit: bit,
            scale: scale ?? 1, offset: offset ?? 0, unit: unit, deadband: deadband ?? 0, invalid: invalid ?? [],
            line: item.node.line)
    }

    private static func parseEmit(_ reader: FieldReader?, registers: [ModbusRegister]) -> ModbusEmitRules? {
        guard let reader else { return ModbusEmitRules() }
        defer { reader.finish() }
        let onChange = reader.bool("onChange") ?? true
        let heartbeat = reader.duration("heartbeat", minimum: .seconds(1))
        let whileStable = reader.string("whileStable")
        if let whileStable {
            guard let flag = registers.first(where: { $0.name == whileStable }) else {
                let hint = Suggestion.closest(to: whileStable, in: registers.map(\.name)).map { " (did you mean '\($0)'?)" } ?? ""
                reader.report(reader.node("whileStable"), "whileStable", "no register named '\(whileStable)'\(hint)")
                return nil
            }
            guard flag.type == .bool else {
                reader.report(reader.node("whileStable"), "whileStable", "'\(whileStable)' is a \(flag.type.rawValue); the stable flag must be a bool")
                return nil
            }
        }
        if !onChange && heartbeat == nil && !reader.has("heartbeat") {
            reader.report(reader.node("onChange"), "onChange", "with onChange false and no heartbeat nothing is ever emitted")
            return nil
        }
        return ModbusEmitRules(onChange: onChange, whileStable: whileStable, heartbeat: heartbeat)
    }

    private static func isMetricName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic, first.isASCII else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0)) }
    }
}

extension FieldReader {
    /// A finite decimal number.
    public func number(_ key: String) -> Double? {
        guard let text = string(key) else { return nil }
        guard let value = Double(text), value.isFinite else {
            report(node(key), key, "expected a number, got '\(text)'")
            return nil
        }
        return value
    }

    /// `true` or `false`.
    public func bool(_ key: String) -> Bool? {
        guard let text = string(key) else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default:
            report(node(key), key, "expected true or false, got '\(text)'")
            return nil
        }
    }

    /// A whole number or a list of them.
    public func integerList(_ key: String) -> [Int64]? {
        guard let texts = stringList(key) else { return nil }
        var values: [Int64] = []
        for text in texts {
            guard let value = Int64(text) else {
                report(node(key), key, "expected whole numbers, got '\(text)'")
                return nil
            }
            values.append(value)
        }
        return values
    }
}
