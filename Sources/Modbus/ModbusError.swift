internal import CModbus

#if canImport(Glibc)
import Glibc
#endif

/// A failed libmodbus call, naming the device, what was asked (table and addresses), where, and why — with the
/// errno read in the same C frame as the call:
/// `pack-scale-1: Modbus read of holding 0..1 failed: connection timed out (tcp://127.0.0.1:1502, unit 1)`.
public struct ModbusError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// No answer within the response timeout.
        case timeout
        /// The connection or serial port could not be opened, or broke.
        case connection
        /// The unit answered with a Modbus exception (function code | 0x80).
        case exception(UInt8)
        /// An answer arrived but was not a valid response (CRC, length, wrong unit).
        case badResponse
        case other
    }

    /// The device the request was for, when known.
    public var device: String?
    /// `read of holding 0..1`, `connect`.
    public var operation: String
    /// `tcp://127.0.0.1:1502, unit 1`.
    public var endpoint: String
    /// errno as libmodbus left it (or a libmodbus `EMB…` code).
    public var code: Int32
    public var kind: Kind
    public var reason: String

    public init(device: String? = nil, operation: String, endpoint: String, code: Int32, kind: Kind, reason: String) {
        self.device = device
        self.operation = operation
        self.endpoint = endpoint
        self.code = code
        self.kind = kind
        self.reason = reason
    }

    public var description: String {
        (device.map { "\($0): " } ?? "") + "Modbus \(operation) failed: \(reason) (\(endpoint))"
    }

    /// The unit itself answered (with an exception): it is alive, the request was wrong or it was busy.
    public var unitAnswered: Bool {
        if case .exception = kind { return true }
        return false
    }

    /// Builds the error for `code`, an errno value captured right after the failing libmodbus call.
    static func from(code: Int32, operation: String, endpoint: String) -> ModbusError {
        let (kind, reason) = classify(code)
        return ModbusError(operation: operation, endpoint: endpoint, code: code, kind: kind, reason: reason)
    }

    static func classify(_ code: Int32) -> (Kind, String) {
        let base = waystation_modbus_errno_base()
        if code > base && code <= waystation_modbus_last_exception() {
            let exception = UInt8(code - base)
            return (.exception(exception), "exception \(exception) (\(exceptionName(exception)))")
        }
        if code > waystation_modbus_last_exception() && code <= waystation_modbus_last_exception() + 6 {
            return (.badResponse, lowercasedFirst(String(cString: modbus_strerror(code))))
        }
        let reason = lowercasedFirst(String(cString: strerror(code)))
        switch code {
        case ETIMEDOUT: return (.timeout, reason)
        case ECONNREFUSED, ECONNRESET, ECONNABORTED, EPIPE, EBADF, ENOTCONN, EHOSTUNREACH, ENETUNREACH, ENOENT, EIO, ENXIO,
            EACCES, ENODEV, EBUSY, EINVAL:
            return (.connection, reason)
        default: return (.other, reason)
        }
    }

    /// Names from the Modbus application protocol specification, section 7.
    static func exceptionName(_ code: UInt8) -> String {
        switch code {
        case 1: "illegal function"
        case 2: "illegal data address"
        case 3: "illegal data value"
        case 4: "server device failure"
        case 5: "acknowledge"
        case 6: "server device busy"
        case 7: "negative acknowledge"
        case 8: "memory parity error"
        case 10: "gateway path unavailable"
        case 11: "gateway target device failed to respond"
        default: "unknown exception"
        }
    }

    private static func lowercasedFirst(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.lowercased() + text.dropFirst()
    }
}
