/// A Modbus device model (DESIGN.md 3.3): the registers to read and when a reading becomes an event.
public struct ModbusProfile: Sendable, Equatable {
    public var registers: [ModbusRegister]
    public var emit: ModbusEmitRules
    /// The requests one poll makes: adjacent registers of a table merged, each within the protocol limit.
    public var blocks: [ModbusReadBlock]

    public init(registers: [ModbusRegister], emit: ModbusEmitRules) {
        self.registers = registers
        self.emit = emit
        self.blocks = ModbusReadBlock.plan(registers)
    }

    /// Registers that become `measurement` events (all but the stable flag).
    public var metrics: [ModbusRegister] { registers.filter { $0.name != emit.whileStable } }
}

/// The four Modbus data tables.
public enum ModbusTable: String, Sendable, CaseIterable, Comparable {
    /// Read/write 16-bit registers (function 3).
    case holding
    /// Read-only 16-bit registers (function 4).
    case input
    /// Read/write bits (function 1).
    case coil
    /// Read-only bits (function 2).
    case discrete

    public var holdsBits: Bool { self == .coil || self == .discrete }

    /// Most items one request may read (Modbus application protocol 1.1b3, 6.1–6.4).
    public var maxPerRequest: Int { holdsBits ? 2000 : 125 }

    public static func < (lhs: ModbusTable, rhs: ModbusTable) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

public enum ModbusValueType: String, Sendable, CaseIterable {
    case int16, uint16, int32, uint32, float32, bool

    /// 16-bit registers (or bits, in a bit table) the value spans.
    public var width: Int {
        switch self {
        case .int32, .uint32, .float32: 2
        default: 1
        }
    }

    public var isInteger: Bool { self != .float32 && self != .bool }
}

/// Which register of a 32-bit value comes first. Bytes inside a register are always big-endian (Modbus).
public enum ModbusWordOrder: String, Sendable, CaseIterable {
    /// High word at the lower address (ABCD), as the Modbus spec and most devices do.
    case big
    /// Low word at the lower address (CDAB), common on meters and PLCs.
    case little
}

public struct ModbusRegister: Sendable, Equatable {
    public var name: String
    public var table: ModbusTable
    public var address: Int
    public var type: ModbusValueType
    public var wordOrder: ModbusWordOrder
    /// For a `bool` in a register table: the bit (0 = least significant); `nil` means "register is not 0".
    public var bit: Int?
    /// value = raw × scale + offset.
    public var scale: Double
    public var offset: Double
    public var unit: String?
    /// Changes smaller than this (in the scaled unit) are not emitted.
    public var deadband: Double
    /// Raw values the device uses to say "no reading" (e.g. -32768 for a broken probe): rejected, not emitted.
    public var invalid: [Int64]
    /// Line of the register in its profile file, for messages.
    public var line: Int

    public init(
        name: String, table: ModbusTable, address: Int, type: ModbusValueType, wordOrder: ModbusWordOrder = .big,
        bit: Int? = nil, scale: Double = 1, offset: Double = 0, unit: String? = nil, deadband: Double = 0,
        invalid: [Int64] = [], line: Int = 0
    ) {
        self.name = name
        self.table = table
        self.address = address
        self.type = type
        self.wordOrder = wordOrder
        self.bit = bit
        self.scale = scale
        self.offset = offset
        self.unit = unit
        self.deadband = deadband
        self.invalid = invalid
        self.line = line
    }

    /// Last address the register spans.
    public var lastAddress: Int { address + type.width - 1 }

    /// `holding 0..1`, `coil 4`.
    public var location: String {
        lastAddress == address ? "\(table.rawValue) \(address)" : "\(table.rawValue) \(address)..\(lastAddress)"
    }
}

/// When readings become events.
public struct ModbusEmitRules: Sendable, Equatable {
    /// Emit a metric when it moved by at least its deadband since it was last emitted.
    public var onChange: Bool
    /// Name of a `bool` register: while it is not true, nothing is emitted (a scale that is still settling).
    public var whileStable: String?
    /// Emit every metric at least this often, changed or not.
    public var heartbeat: Duration?

    public init(onChange: Bool = true, whileStable: String? = nil, heartbeat: Duration? = nil) {
        self.onChange = onChange
        self.whileStable = whileStable
        self.heartbeat = heartbeat
    }
}

/// One read request: `count` items of `table` from `address`.
public struct ModbusReadBlock: Sendable, Hashable, CustomStringConvertible {
    public var table: ModbusTable
    public var address: Int
    public var count: Int

    public init(table: ModbusTable, address: Int, count: Int) {
        self.table = table
        self.address = address
        self.count = count
    }

    public var lastAddress: Int { address + count - 1 }

    /// `holding 0..2`.
    public var description: String { count == 1 ? "\(table.rawValue) \(address)" : "\(table.rawValue) \(address)..\(lastAddress)" }

    /// Merges registers that touch or share addresses into as few requests as the protocol allows.
    public static func plan(_ registers: [ModbusRegister]) -> [ModbusReadBlock] {
        var blocks: [ModbusReadBlock] = []
        let sorted = registers.sorted { ($0.table, $0.address) < ($1.table, $1.address) }
        for register in sorted {
            if var last = blocks.last, last.table == register.table, register.address <= last.lastAddress + 1,
                register.lastAddress - last.address + 1 <= register.table.maxPerRequest
            {
                last.count = max(last.count, register.lastAddress - last.address + 1)
                blocks[blocks.count - 1] = last
            } else {
                blocks.append(ModbusReadBlock(table: register.table, address: register.address, count: register.type.width))
            }
        }
        return blocks
    }
}
