import Testing
import WaystationCore

@Suite("Modbus: register decoding and read planning")
struct ModbusDecodingTests {
    static func decode(_ register: ModbusRegister, _ words: [UInt16]) -> Result<MeasuredValue, Rejection> {
        register.decode(from: [ModbusReadBlock(table: register.table, address: register.address, count: words.count): words])
    }

    @Test("16- and 32-bit integers, both word orders, signedness")
    func integers() {
        #expect(Self.decode(.init(name: "a", table: .holding, address: 0, type: .int16), [0xFFFF]) == .success(.number(-1)))
        #expect(Self.decode(.init(name: "a", table: .holding, address: 0, type: .uint16), [0xFFFF]) == .success(.number(65535)))
        #expect(Self.decode(.init(name: "a", table: .input, address: 0, type: .uint32), [0x0001, 0x0002]) == .success(.number(65538)))
        #expect(
            Self.decode(.init(name: "a", table: .input, address: 0, type: .uint32, wordOrder: .little), [0x0002, 0x0001])
                == .success(.number(65538)))
        #expect(Self.decode(.init(name: "a", table: .input, address: 0, type: .int32), [0xFFFF, 0xFFFE]) == .success(.number(-2)))
        #expect(
            Self.decode(.init(name: "a", table: .input, address: 0, type: .uint32), [0xFFFF, 0xFFFF]) == .success(.number(4_294_967_295)))
    }

    @Test("float32 reads back as the shortest decimal; NaN and infinity are refused with the raw words")
    func floats() {
        let register = ModbusRegister(name: "w", table: .holding, address: 10, type: .float32)
        #expect(Self.decode(register, [0x4147, 0xAE14]) == .success(.number(12.48)))
        #expect(
            Self.decode(.init(name: "w", table: .holding, address: 10, type: .float32, wordOrder: .little), [0xAE14, 0x4147])
                == .success(.number(12.48)))
        #expect(Self.decode(register, [0x7FC0, 0x0000]) == .failure(Rejection("w (holding 10..11): the device sent nan (raw 0x7fc0 0x0000)")))
        #expect(Self.decode(register, [0x7F80, 0x0000]) == .failure(Rejection("w (holding 10..11): the device sent inf (raw 0x7f80 0x0000)")))
    }

    @Test("scale and offset come out rounded to the decimals they carry")
    func scaling() {
        let tenths = ModbusRegister(name: "t", table: .input, address: 0, type: .int16, scale: 0.1)
        #expect(Self.decode(tenths, [219]) == .success(.number(21.9)))
        #expect(Self.decode(tenths, [0xFF85]) == .success(.number(-12.3)))
        let fahrenheit = ModbusRegister(name: "t", table: .input, address: 0, type: .int16, scale: 0.18, offset: 32)
        #expect(Self.decode(fahrenheit, [215]) == .success(.number(70.7)))
        let kilo = ModbusRegister(name: "p", table: .holding, address: 0, type: .float32, scale: 0.001)
        #expect(Self.decode(kilo, [0x4147, 0xAE14]) == .success(.number(0.01248)))
    }

    @Test("bools: coils, discrete inputs, a bit of a register, or a whole register")
    func bools() {
        #expect(Self.decode(.init(name: "c", table: .coil, address: 3, type: .bool), [1]) == .success(.flag(true)))
        #expect(Self.decode(.init(name: "d", table: .discrete, address: 3, type: .bool), [0]) == .success(.flag(false)))
        #expect(Self.decode(.init(name: "s", table: .holding, address: 2, type: .bool, bit: 3), [0b1000]) == .success(.flag(true)))
        #expect(Self.decode(.init(name: "s", table: .holding, address: 2, type: .bool, bit: 0), [0b1000]) == .success(.flag(false)))
        #expect(Self.decode(.init(name: "s", table: .holding, address: 2, type: .bool), [0b1000]) == .success(.flag(true)))
    }

    @Test("adjacent registers of a table are read in one request, up to 125 registers or 2000 bits")
    func planning() {
        var registers = (0..<130).map { ModbusRegister(name: "r\($0)", table: .holding, address: $0, type: .uint16) }
        registers += [
            ModbusRegister(name: "f", table: .holding, address: 200, type: .float32),
            ModbusRegister(name: "g", table: .holding, address: 202, type: .uint16),
            ModbusRegister(name: "i", table: .input, address: 0, type: .int16),
            ModbusRegister(name: "s0", table: .input, address: 5, type: .bool, bit: 0),
            ModbusRegister(name: "s1", table: .input, address: 5, type: .bool, bit: 1),
        ]
        registers += (0..<2001).map { ModbusRegister(name: "c\($0)", table: .coil, address: $0, type: .bool) }
        #expect(ModbusReadBlock.plan(registers).map(\.description) == [
            "holding 0..124", "holding 125..129", "holding 200..202", "input 0", "input 5", "coil 0..1999", "coil 2000",
        ])
        // A 32-bit value is never split across two requests.
        let edge = (0..<124).map { ModbusRegister(name: "r\($0)", table: .holding, address: $0, type: .uint16) }
            + [ModbusRegister(name: "big", table: .holding, address: 124, type: .uint32)]
        #expect(ModbusReadBlock.plan(edge).map(\.description) == ["holding 0..123", "holding 124..125"])
    }

    @Test("endpoints print as they parse")
    func endpoints() throws {
        for text in ["tcp://127.0.0.1:1502", "tcp://[::1]:502", "rtu:///dev/ttyUSB0?baud=9600&parity=N&data=8&stop=1"] {
            #expect(try ModbusEndpoint.parse(text).get().description == text)
        }
        #expect(try ModbusEndpoint.parse("tcp://plc-7").get() == .tcp(host: "plc-7", port: 502))
        #expect(try ModbusEndpoint.parse("rtu:///dev/ttyS1").get().description == "rtu:///dev/ttyS1?baud=9600&parity=N&data=8&stop=1")
    }
}
