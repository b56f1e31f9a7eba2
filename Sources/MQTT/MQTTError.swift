internal import CMosquitto

#if canImport(Glibc)
import Glibc
#endif

/// A failed libmosquitto call: which call, against which broker, and why (errno read in the same frame).
public struct MQTTError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var broker: String
    public var code: Int32
    public var reason: String

    public init(operation: String, broker: String, code: Int32, reason: String) {
        self.operation = operation
        self.broker = broker
        self.code = code
        self.reason = reason
    }

    public var description: String { "MQTT \(operation) on \(broker) failed: \(reason)" }

    /// Throws for a libmosquitto return code other than success.
    static func check(_ rc: Int32, _ operation: String, broker: String) throws(MQTTError) {
        guard rc != Int32(MOSQ_ERR_SUCCESS.rawValue) else { return }
        throw MQTTError(operation: operation, broker: broker, code: rc, reason: describe(rc, errno: waystation_mosq_errno()))
    }

    static func describe(_ rc: Int32, errno code: Int32) -> String {
        if rc == Int32(MOSQ_ERR_ERRNO.rawValue) { return String(cString: strerror(code)) }
        return String(cString: mosquitto_strerror(rc))
    }
}
