import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A Modbus TCP device that answers every read with a broken frame, on 127.0.0.1 and a free port: what a
/// misbehaving gateway or a half-dead serial-to-TCP converter sends. One thread, one connection at a time.
public final class MalformedModbusServer: Sendable {
    public enum Fault: Sendable {
        /// A well-formed frame whose byte count is one register short of what was asked.
        case shortByteCount
        /// The MBAP header promises more bytes than ever arrive: the master waits and times out.
        case truncatedFrame
    }

    public let port: Int
    private let listener: Int32
    private let stopping = Atomic<Bool>(false)
    private let requestCount = Atomic<Int>(0)

    public init(fault: Fault) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound, listen(descriptor, 4) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw NSError(domain: NSPOSIXErrorDomain, code: Int(errno), userInfo: [NSLocalizedDescriptionKey: "listen: \(reason)"])
        }
        listener = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in serve(fault) }.start()
    }

    /// Read requests answered so far.
    public var requests: Int { requestCount.load(ordering: .relaxed) }

    public func stop() {
        stopping.store(true, ordering: .relaxed)
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve(_ fault: Fault) {
        while !stopping.load(ordering: .relaxed) {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            var request = [UInt8](repeating: 0, count: 260)
            // MBAP (7 bytes) + function, address, quantity (5 bytes): a read request is 12 bytes.
            while !stopping.load(ordering: .relaxed), recv(connection, &request, 260, 0) >= 12 {
                requestCount.add(1, ordering: .relaxed)
                let quantity = Int(request[10]) << 8 | Int(request[11])
                let function = request[7]
                let registers = function <= 2 ? (quantity + 7) / 8 : quantity * 2
                let answer: [UInt8]
                switch fault {
                case .shortByteCount:
                    let data = [UInt8](repeating: 0x41, count: max(0, registers - 2))
                    answer = Self.frame(request, function: function, data: [UInt8(data.count)] + data, declaredExtra: 0)
                case .truncatedFrame:
                    let data = [UInt8](repeating: 0x41, count: registers)
                    answer = Self.frame(request, function: function, data: [UInt8(data.count)] + data.prefix(1), declaredExtra: registers - 1)
                }
                _ = answer.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
            close(connection)
        }
    }

    /// The transaction id and unit of `request`, `function`, and `data`; the MBAP length claims `declaredExtra`
    /// more bytes than are there.
    private static func frame(_ request: [UInt8], function: UInt8, data: [UInt8], declaredExtra: Int) -> [UInt8] {
        let length = 2 + data.count + declaredExtra
        return [request[0], request[1], 0, 0, UInt8(length >> 8), UInt8(length & 0xFF), request[6], function] + data
    }
}
