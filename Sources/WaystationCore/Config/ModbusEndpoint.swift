/// Where a Modbus device is reached: `tcp://host:port`, or a serial line
/// `rtu:///dev/ttyUSB0?baud=9600&parity=N&data=8&stop=1`.
public enum ModbusEndpoint: Sendable, Hashable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case rtu(SerialLine)

    /// One RS-485 / RS-232 port and the line settings every unit on it shares.
    public struct SerialLine: Sendable, Hashable {
        public enum Parity: String, Sendable, CaseIterable {
            case none = "N", even = "E", odd = "O"
        }

        public var path: String
        public var baud: Int
        public var parity: Parity
        public var dataBits: Int
        public var stopBits: Int

        public init(path: String, baud: Int = 9600, parity: Parity = .none, dataBits: Int = 8, stopBits: Int = 1) {
            self.path = path
            self.baud = baud
            self.parity = parity
            self.dataBits = dataBits
            self.stopBits = stopBits
        }

        /// `9600 8N1`.
        public var settings: String { "\(baud) \(dataBits)\(parity.rawValue)\(stopBits)" }
    }

    public static let defaultTCPPort = 502
    static let schemes = ["tcp://", "rtu://"]
    static let baudRates = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115_200, 230_400, 460_800, 921_600]

    /// The bus this endpoint is on: one owner per TCP endpoint and per serial port.
    public var busKey: String {
        switch self {
        case .tcp: description
        case .rtu(let line): "rtu://" + line.path
        }
    }

    public var isSerial: Bool {
        if case .rtu = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .tcp(let host, let port): "tcp://" + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
        case .rtu(let line):
            "rtu://\(line.path)?baud=\(line.baud)&parity=\(line.parity.rawValue)&data=\(line.dataBits)&stop=\(line.stopBits)"
        }
    }

    /// Parses an endpoint, or says what is wrong with it in one line.
    public static func parse(_ text: String) -> Result<ModbusEndpoint, EndpointProblem> {
        if text.hasPrefix("tcp://") { return parseTCP(text.dropFirst(6)) }
        if text.hasPrefix("rtu://") { return parseRTU(text.dropFirst(6)) }
        let scheme = text.firstRange(of: "://").map { String(text[..<$0.upperBound]) } ?? ""
        let hint = scheme.isEmpty ? nil : Suggestion.closest(to: scheme, in: schemes).map { " (did you mean '\($0)'?)" }
        return .failure(
            EndpointProblem(
                "'\(text)' is not a Modbus endpoint\(hint ?? ""); use tcp://host:port or "
                    + "rtu:///dev/ttyUSB0?baud=9600&parity=N&data=8&stop=1"))
    }

    private static func parseTCP(_ rest: Substring) -> Result<ModbusEndpoint, EndpointProblem> {
        var rest = rest
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        let host: String
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return .failure(EndpointProblem("'\(rest)': unclosed '[' in IPv6 address")) }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return .failure(EndpointProblem("'tcp://\(rest)': expected ':port' after ']'")) }
                portText = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            portText = rest[rest.index(after: colon)...]
        } else {
            host = String(rest)
        }
        guard !host.isEmpty, !host.contains("/"), !host.contains("?") else {
            return .failure(EndpointProblem("'tcp://\(rest)' has no host (tcp://host:port)"))
        }
        var port = defaultTCPPort
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                return .failure(EndpointProblem("'\(portText)' is not a TCP port (1...65535)"))
            }
            port = value
        }
        return .success(.tcp(host: host, port: port))
    }

    private static func parseRTU(_ rest: Substring) -> Result<ModbusEndpoint, EndpointProblem> {
        let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = String(parts[0])
        guard path.hasPrefix("/"), path.count > 1 else {
            return .failure(EndpointProblem("'rtu://\(rest)' needs an absolute device path (rtu:///dev/ttyUSB0?baud=9600)"))
        }
        var line = SerialLine(path: path)
        guard parts.count == 2 else { return .success(.rtu(line)) }
        let keys = ["baud", "parity", "data", "stop"]
        for pair in parts[1].split(separator: "&") {
            let keyValue = pair.split(separator: "=", maxSplits: 1)
            let key = String(keyValue[0])
            let value = keyValue.count == 2 ? String(keyValue[1]) : ""
            switch key {
            case "baud":
                guard let baud = Int(value), baudRates.contains(baud) else {
                    return .failure(EndpointProblem("baud '\(value)' is not one of \(baudRates.map(String.init).joined(separator: ", "))"))
                }
                line.baud = baud
            case "parity":
                guard let parity = SerialLine.Parity(rawValue: value.uppercased()) else {
                    return .failure(EndpointProblem("parity '\(value)' is not one of N, E, O"))
                }
                line.parity = parity
            case "data":
                guard let bits = Int(value), (5...8).contains(bits) else {
                    return .failure(EndpointProblem("data bits '\(value)' is not one of 5, 6, 7, 8"))
                }
                line.dataBits = bits
            case "stop":
                guard let bits = Int(value), bits == 1 || bits == 2 else {
                    return .failure(EndpointProblem("stop bits '\(value)' is not 1 or 2"))
                }
                line.stopBits = bits
            default:
                let hint = Suggestion.closest(to: key, in: keys).map { " (did you mean '\($0)'?)" } ?? ""
                return .failure(EndpointProblem("unknown serial setting '\(key)'\(hint); allowed: \(keys.joined(separator: ", "))"))
            }
        }
        return .success(.rtu(line))
    }
}

/// Why an endpoint text is not usable.
public struct EndpointProblem: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
