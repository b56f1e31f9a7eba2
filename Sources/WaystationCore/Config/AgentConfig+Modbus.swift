/// A Modbus device from the `devices:` list, bound to its profile and its address on a bus.
public struct ModbusDeviceBinding: Sendable, Equatable {
    public var id: String
    public var profileName: String
    public var profile: ModbusProfile
    public var endpoint: ModbusEndpoint
    /// Modbus unit (slave) id, 1...247.
    public var unit: Int
    /// How often the device is polled while it answers.
    public var interval: Duration
    /// How long to wait for an answer (libmodbus response timeout; the byte timeout is derived from it).
    public var timeout: Duration
    /// Fixed values copied into every event's subject: `location`, `zone`, `asset`.
    public var set: [String: String]

    public init(
        id: String, profileName: String, profile: ModbusProfile, endpoint: ModbusEndpoint, unit: Int = 1,
        interval: Duration = .seconds(1), timeout: Duration = .seconds(1), set: [String: String] = [:]
    ) {
        self.id = id
        self.profileName = profileName
        self.profile = profile
        self.endpoint = endpoint
        self.unit = unit
        self.interval = interval
        self.timeout = timeout
        self.set = set
    }

    /// `set:` keys a Modbus device may have; each lands in the event's subject.
    public static let subjectKeys = ["location", "zone", "asset"]
    /// Device keys only a Modbus device has.
    public static let modbusKeys = ["endpoint", "unit", "interval", "timeout"]
    /// Polling faster than this starves a serial line and buys nothing on a warehouse floor.
    public static let minimumInterval = Duration.milliseconds(50)
    public static let defaultInterval = Duration.seconds(1)
    public static func defaultTimeout(for endpoint: ModbusEndpoint) -> Duration {
        endpoint.isSerial ? .milliseconds(500) : .seconds(1)
    }
}

/// The Modbus keys of one `devices:` entry, read and checked before its profile says whether it is Modbus.
struct ModbusDeviceFields {
    var endpoint: ModbusEndpoint?
    var unit: Int?
    var interval: Duration?
    var timeout: Duration?
    /// Whether any Modbus key was written at all.
    var present: Bool
}

extension AgentConfigParser {
    /// Reads `endpoint`, `unit`, `interval` and `timeout`, reporting malformed values at their position.
    func readModbusFields(_ reader: FieldReader) -> ModbusDeviceFields {
        var fields = ModbusDeviceFields(present: ModbusDeviceBinding.modbusKeys.contains(where: reader.has))
        guard fields.present else { return fields }
        if let text = reader.string("endpoint") {
            switch ModbusEndpoint.parse(text) {
            case .success(let endpoint): fields.endpoint = endpoint
            case .failure(let problem): reader.report(reader.node("endpoint"), "endpoint", problem.message)
            }
        }
        fields.unit = reader.int("unit", range: 1...247)
        fields.interval = reader.duration("interval", minimum: ModbusDeviceBinding.minimumInterval)
        fields.timeout = reader.duration("timeout", minimum: .milliseconds(10))
        if let timeout = fields.timeout, timeout > .seconds(10) {
            reader.report(reader.node("timeout"), "timeout", "\(DurationText.format(timeout)) is above the maximum of 10s")
            fields.timeout = nil
        }
        return fields
    }

    /// Binds a device whose profile is a Modbus profile; nil (with problems reported) if it cannot be.
    func bindModbusDevice(
        _ reader: FieldReader, id: String, profileName: String, profile: ModbusProfile, fields: ModbusDeviceFields,
        set: [(String, String)]
    ) -> ModbusDeviceBinding? {
        if reader.has("topic") {
            reader.report(reader.node("topic"), "topic", "has no meaning for a Modbus device (profile \(profileName)); it is polled at its endpoint")
        }
        for (key, _) in set where !ModbusDeviceBinding.subjectKeys.contains(key) {
            let hint = Suggestion.closest(to: key, in: ModbusDeviceBinding.subjectKeys).map { " (did you mean '\($0)'?)" } ?? ""
            reader.report(
                reader.node("set"), "set.\(key)",
                "unknown key\(hint); allowed for a Modbus device: \(ModbusDeviceBinding.subjectKeys.joined(separator: ", "))")
        }
        guard let endpoint = fields.endpoint else {
            if !reader.has("endpoint") {
                reader.report(nil, "endpoint", "is required for a Modbus device (profile \(profileName)): tcp://host:port or rtu:///dev/ttyUSB0")
            }
            return nil
        }
        let invalid = (reader.has("unit") && fields.unit == nil) || (reader.has("interval") && fields.interval == nil)
            || (reader.has("timeout") && fields.timeout == nil)
        guard !invalid else { return nil }
        return ModbusDeviceBinding(
            id: id, profileName: profileName, profile: profile, endpoint: endpoint, unit: fields.unit ?? 1,
            interval: fields.interval ?? ModbusDeviceBinding.defaultInterval,
            timeout: fields.timeout ?? ModbusDeviceBinding.defaultTimeout(for: endpoint),
            set: Dictionary(set, uniquingKeysWith: { _, last in last }))
    }

    /// Devices on one bus must agree: one set of line settings per serial port, one device per unit id.
    func checkModbusBuses(_ devices: [(device: ModbusDeviceBinding, reader: FieldReader)]) -> [ModbusDeviceBinding] {
        var accepted: [(device: ModbusDeviceBinding, line: Int)] = []
        for (device, reader) in devices {
            if case .rtu(let line) = device.endpoint,
                let other = accepted.first(where: { $0.device.endpoint.busKey == device.endpoint.busKey }),
                case .rtu(let otherLine) = other.device.endpoint, otherLine != line
            {
                reader.report(
                    reader.node("endpoint"), "endpoint",
                    "\(line.path) runs at \(otherLine.settings) for '\(other.device.id)' (line \(other.line)); one serial line has one set of settings")
                continue
            }
            if let other = accepted.first(where: { $0.device.endpoint.busKey == device.endpoint.busKey && $0.device.unit == device.unit }) {
                reader.report(
                    reader.node("unit") ?? reader.node("endpoint"), "unit",
                    "unit \(device.unit) on \(device.endpoint.busKey) is already device '\(other.device.id)' (line \(other.line))")
                continue
            }
            accepted.append((device, reader.node.line))
        }
        return accepted.map(\.device)
    }
}
