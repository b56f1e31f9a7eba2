internal import CModbus
import WaystationCore

#if canImport(Glibc)
import Glibc
#endif

/// One libmodbus client context (`modbus_t`). libmodbus contexts are not thread-safe: a context belongs to the
/// one thread of the bus that created it and is never shared, so this type is deliberately not `Sendable`.
final class ModbusContext {
    let endpoint: ModbusEndpoint
    private let handle: OpaquePointer
    private(set) var isConnected = false
    private var unit = -1
    private var timeout: Duration = .zero

    init(endpoint: ModbusEndpoint) throws(ModbusError) {
        self.endpoint = endpoint
        var error: Int32 = 0
        let created: OpaquePointer?
        switch endpoint {
        case .tcp(let host, let port):
            created = waystation_modbus_new_tcp(host, String(port), &error)
        case .rtu(let line):
            created = waystation_modbus_new_rtu(
                line.path, Int32(line.baud), CChar(UInt8(ascii: line.parity.rawValue.unicodeScalars.first!)),
                Int32(line.dataBits), Int32(line.stopBits), &error)
        }
        guard let created else {
            throw ModbusError.from(code: error, operation: "setup", endpoint: endpoint.description)
        }
        handle = created
    }

    deinit {
        modbus_close(handle)
        modbus_free(handle)
    }

    /// `tcp://127.0.0.1:1502, unit 1`.
    var place: String { "\(endpoint.busKey), unit \(unit)" }

    /// Opens the TCP connection or the serial port. TCP connects time out after the response timeout.
    func connect() throws(ModbusError) {
        var error: Int32 = 0
        guard waystation_modbus_connect(handle, &error) == 0 else {
            modbus_close(handle)
            throw ModbusError.from(code: error, operation: "connect", endpoint: place)
        }
        isConnected = true
    }

    func close() {
        modbus_close(handle)
        isConnected = false
    }

    /// Drops bytes still arriving for a request we gave up on (a late answer must not pass for the next one).
    func flush() {
        _ = modbus_flush(handle)
    }

    func select(unit: Int, timeout: Duration) {
        if unit != self.unit {
            _ = modbus_set_slave(handle, Int32(unit))
            self.unit = unit
        }
        if timeout != self.timeout {
            let micros = max(1000, timeout.microseconds)
            _ = modbus_set_response_timeout(handle, UInt32(micros / 1_000_000), UInt32(micros % 1_000_000))
            // Between two bytes of one answer: generous for slow lines, never longer than the whole answer may take.
            let byteMicros = min(micros, 500_000)
            _ = modbus_set_byte_timeout(handle, UInt32(byteMicros / 1_000_000), UInt32(byteMicros % 1_000_000))
            self.timeout = timeout
        }
    }

    /// Reads one block: 16-bit registers as they are, bits as 0 or 1.
    func read(_ block: ModbusReadBlock) throws(ModbusError) -> [UInt16] {
        var error: Int32 = 0
        var words = [UInt16](repeating: 0, count: block.count)
        let rc: Int32
        switch block.table {
        case .holding:
            rc = words.withUnsafeMutableBufferPointer {
                waystation_modbus_read_registers(handle, Int32(block.address), Int32(block.count), $0.baseAddress, &error)
            }
        case .input:
            rc = words.withUnsafeMutableBufferPointer {
                waystation_modbus_read_input_registers(handle, Int32(block.address), Int32(block.count), $0.baseAddress, &error)
            }
        case .coil, .discrete:
            var bits = [UInt8](repeating: 0, count: block.count)
            let read = block.table == .coil ? waystation_modbus_read_bits : waystation_modbus_read_input_bits
            rc = bits.withUnsafeMutableBufferPointer { read(handle, Int32(block.address), Int32(block.count), $0.baseAddress, &error) }
            words = bits.map { UInt16($0) }
        }
        guard rc == Int32(block.count) else {
            throw ModbusError.from(code: rc < 0 ? error : waystation_modbus_bad_data(), operation: "read of \(block)", endpoint: place)
        }
        return words
    }
}

extension Duration {
    var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
