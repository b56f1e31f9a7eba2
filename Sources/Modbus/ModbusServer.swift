internal import CModbus
import Foundation
import Synchronization
public import WaystationCore

#if canImport(Glibc)
import Glibc
#endif

/// A Modbus server (slave) on libmodbus — for simulators, tests and benchmarks. It serves several unit ids
/// at once, each with its own registers, over TCP (any number of clients) or on a serial line.
///
/// One thread serves; register updates from other threads take the same lock as the replies, so a client
/// never reads half an update. A unit can be made silent (a dead unit) or answer every request with an
/// exception (a busy or misconfigured one).
public final class ModbusServer: Sendable {
    public enum Transport: Sendable {
        case tcp(host: String, port: Int)
        case rtu(ModbusEndpoint.SerialLine)
    }

    /// Items per table, for every unit.
    public struct Size: Sendable {
        public var coils, discrete, holding, input: Int
        public init(coils: Int = 0, discrete: Int = 0, holding: Int = 0, input: Int = 0) {
            self.coils = coils
            self.discrete = discrete
            self.holding = holding
            self.input = input
        }
    }

    public enum Behaviour: Sendable, Equatable {
        case answer
        /// Reads the request and says nothing: the master times out.
        case silent
        /// Answers every request with this Modbus exception code.
        case exception(UInt8)
    }

    /// The TCP port actually listened on (useful with port 0), or 0 for a serial line.
    public let port: Int
    public let transport: Transport
    private let link: ServerLink
    private let units: Mutex<[Int: UnitState]>
    private let stopping = Atomic<Bool>(false)
    private let completion = ThreadCompletion()

    struct UnitState: Sendable {
        var bank: RegisterBank
        var behaviour: Behaviour = .answer
        var requests = 0
    }

    /// Binds the TCP port or opens the serial port now, so a port in use fails here; `start()` serves.
    public init(_ transport: Transport, units: [Int], size: Size) throws(ModbusError) {
        self.transport = transport
        self.link = try ServerLink(transport)
        self.port = link.port
        var states: [Int: UnitState] = [:]
        for unit in units { states[unit] = UnitState(bank: try RegisterBank(size: size)) }
        self.units = Mutex(states)
    }

    public func start() {
        let thread = Thread { [self] in
            ModbusBus.nameCurrentThread("modbus server")
            serve()
            completion.finish()
        }
        thread.name = "modbus server"
        thread.start()
    }

    /// Stops serving and closes every socket or the port.
    public func stop() async {
        stopping.store(true, ordering: .relaxed)
        await completion.wait()
    }

    /// Changes registers of `unit` atomically with respect to the replies.
    public func update(unit: Int, _ body: (RegisterBank) -> Void) {
        units.withLock { units in
            if let state = units[unit] { body(state.bank) }
        }
    }

    public func setBehaviour(_ behaviour: Behaviour, unit: Int) {
        units.withLock { $0[unit]?.behaviour = behaviour }
    }

    /// Requests received for `unit` (answered or not).
    public func requests(unit: Int) -> Int { units.withLock { $0[unit]?.requests ?? 0 } }

    // MARK: The serving thread

    private func serve() {
        switch transport {
        case .tcp: serveTCP()
        case .rtu: serveRTU()
        }
        link.close()
    }

    private func serveTCP() {
        var clients: [Int32] = []
        var request = [UInt8](repeating: 0, count: Int(waystation_modbus_max_adu_length()))
        while !stopping.load(ordering: .relaxed) {
            var fds = [pollfd(fd: link.listenSocket, events: Int16(POLLIN), revents: 0)]
                + clients.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            guard poll(&fds, nfds_t(fds.count), 100) > 0 else { continue }
            if fds[0].revents & Int16(POLLIN) != 0 {
                let client = accept(link.listenSocket, nil, nil)
                if client >= 0 {
                    var one: Int32 = 1
                    setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                    clients.append(client)
                }
            }
            for entry in fds.dropFirst() where entry.revents != 0 {
                modbus_set_socket(link.context, entry.fd)
                var error: Int32 = 0
                let length = request.withUnsafeMutableBufferPointer { waystation_modbus_receive(link.context, $0.baseAddress, &error) }
                if length > 0 { handle(Array(request[0..<Int(length)]), unit: Int(request[6])) }
                // The context must not keep the descriptor: a later modbus_close would close whatever reuses the number.
                modbus_set_socket(link.context, -1)
                if length < 0 {
                    Glibc.close(entry.fd)
                    clients.removeAll { $0 == entry.fd }
                }
            }
        }
        for client in clients { Glibc.close(client) }
    }

    /// RTU frames are cut by hand: libmodbus's RTU server answers a single unit id, and after ignoring a
    /// request for another unit it expects that unit's answer on the line, which a one-process multi-unit
    /// line never sends. The answer itself is built and sent by libmodbus (`modbus_reply`).
    private func serveRTU() {
        let descriptor = modbus_get_socket(link.context)
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 512)
        while !stopping.load(ordering: .relaxed) {
            var fds = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
            // A frame ends with silence on the line; a fragment older than that is noise.
            guard poll(&fds, 1, pending.isEmpty ? 100 : 20) > 0 else {
                pending.removeAll()
                continue
            }
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 {
                usleep(10_000)
                continue
            }
            pending += chunk[0..<count]
            while let length = RTUFrame.length(of: pending), pending.count >= length {
                let frame = Array(pending[0..<length])
                pending.removeFirst(length)
                guard RTUFrame.crcIsValid(frame) else {
                    pending.removeAll()
                    break
                }
                handle(frame, unit: Int(frame[0]))
            }
        }
    }

    private func handle(_ request: [UInt8], unit: Int) {
        units.withLock { units in
            guard var state = units[unit] else {
                if case .tcp = transport {
                    _ = modbus_reply_exception(link.context, request, 11  /* gateway target device failed to respond */)
                }
                return
            }
            state.requests += 1
            units[unit] = state
            switch state.behaviour {
            case .silent: return
            case .exception(let code): _ = modbus_reply_exception(link.context, request, UInt32(code))
            case .answer:
                if case .rtu = transport { modbus_set_slave(link.context, Int32(unit)) }
                _ = modbus_reply(link.context, request, Int32(request.count), state.bank.mapping)
            }
        }
    }
}

/// The registers of one unit (a `modbus_mapping_t`). Only touched under the server's lock.
public final class RegisterBank: @unchecked Sendable {
    // @unchecked: owned by one ModbusServer, which guards every access with its mutex; freed in deinit.
    let mapping: UnsafeMutablePointer<modbus_mapping_t>

    init(size: ModbusServer.Size) throws(ModbusError) {
        guard let mapping = modbus_mapping_new(Int32(size.coils), Int32(size.discrete), Int32(size.holding), Int32(size.input)) else {
            throw ModbusError(operation: "allocate registers", endpoint: "server", code: ENOMEM, kind: .other, reason: "out of memory")
        }
        self.mapping = mapping
    }

    deinit { modbus_mapping_free(mapping) }

    public func set(_ table: ModbusTable, _ address: Int, _ words: [UInt16]) {
        for (offset, word) in words.enumerated() {
            let index = address + offset
            switch table {
            case .holding where index < Int(mapping.pointee.nb_registers): mapping.pointee.tab_registers[index] = word
            case .input where index < Int(mapping.pointee.nb_input_registers): mapping.pointee.tab_input_registers[index] = word
            case .coil where index < Int(mapping.pointee.nb_bits): mapping.pointee.tab_bits[index] = word == 0 ? 0 : 1
            case .discrete where index < Int(mapping.pointee.nb_input_bits): mapping.pointee.tab_input_bits[index] = word == 0 ? 0 : 1
            default: break
            }
        }
    }

    public func setInt16(_ table: ModbusTable, _ address: Int, _ value: Int16) { set(table, address, [UInt16(bitPattern: value)]) }

    public func setUInt32(_ table: ModbusTable, _ address: Int, _ value: UInt32, order: ModbusWordOrder = .big) {
        let high = UInt16(value >> 16)
        let low = UInt16(value & 0xFFFF)
        set(table, address, order == .big ? [high, low] : [low, high])
    }

    public func setFloat32(_ table: ModbusTable, _ address: Int, _ value: Float, order: ModbusWordOrder = .big) {
        setUInt32(table, address, value.bitPattern, order: order)
    }

    public func word(_ table: ModbusTable, _ address: Int) -> UInt16 {
        switch table {
        case .holding: mapping.pointee.tab_registers[address]
        case .input: mapping.pointee.tab_input_registers[address]
        case .coil: UInt16(mapping.pointee.tab_bits[address])
        case .discrete: UInt16(mapping.pointee.tab_input_bits[address])
        }
    }
}

/// The server's libmodbus context and listening socket: created in init, used only by the serving thread.
final class ServerLink: @unchecked Sendable {
    // @unchecked: after init, only the serving thread uses `context`; `close()` runs on that thread when it ends.
    let context: OpaquePointer
    let listenSocket: Int32
    let port: Int

    init(_ transport: ModbusServer.Transport) throws(ModbusError) {
        var error: Int32 = 0
        switch transport {
        case .tcp(let host, let port):
            let place = "tcp://\(host):\(port)"
            guard let context = waystation_modbus_new_tcp(host, String(port), &error) else {
                throw ModbusError.from(code: error, operation: "server setup", endpoint: place)
            }
            let socket = waystation_modbus_tcp_listen(context, 16, &error)
            guard socket >= 0 else {
                modbus_free(context)
                throw ModbusError.from(code: error, operation: "listen", endpoint: place)
            }
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
            }
            self.context = context
            self.listenSocket = socket
            self.port = Int(UInt16(bigEndian: address.sin_port))
        case .rtu(let line):
            let place = "rtu://\(line.path)"
            guard
                let context = waystation_modbus_new_rtu(
                    line.path, Int32(line.baud), CChar(UInt8(ascii: line.parity.rawValue.unicodeScalars.first!)),
                    Int32(line.dataBits), Int32(line.stopBits), &error)
            else {
                throw ModbusError.from(code: error, operation: "server setup", endpoint: place)
            }
            guard waystation_modbus_connect(context, &error) == 0 else {
                modbus_free(context)
                throw ModbusError.from(code: error, operation: "open", endpoint: place)
            }
            self.context = context
            self.listenSocket = -1
            self.port = 0
        }
    }

    /// TCP sockets are ours (accepted and closed by the serving loop); a serial port is libmodbus's to close.
    func close() {
        if listenSocket >= 0 {
            Glibc.close(listenSocket)
        } else {
            modbus_close(context)
        }
        modbus_free(context)
    }
}

/// Modbus RTU framing (Modbus over serial line 1.02, 2.5).
enum RTUFrame {
    /// Length of the request at the start of `bytes`, once enough of it is there to tell; nil if not yet known.
    static func length(of bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        switch bytes[1] {
        case 1...6: return 8
        case 15, 16:
            guard bytes.count >= 7 else { return nil }
            return 9 + Int(bytes[6])
        default: return 4  // unknown function: consume header + CRC; the CRC check will resynchronise
        }
    }

    static func crcIsValid(_ frame: [UInt8]) -> Bool {
        guard frame.count >= 4 else { return false }
        let crc = crc16(frame[0..<(frame.count - 2)])
        return frame[frame.count - 2] == UInt8(crc & 0xFF) && frame[frame.count - 1] == UInt8(crc >> 8)
    }

    static func crc16(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for byte in bytes {
            crc ^= UInt16(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xA001 : crc >> 1 }
        }
        return crc
    }
}
