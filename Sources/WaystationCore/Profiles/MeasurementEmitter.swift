/// Applies a Modbus profile's emit rules to successive polls of one device and says which readings become
/// `measurement` events: on change beyond the register's deadband, only while the stable flag holds, and
/// again after the heartbeat interval. Pure: time comes in as arguments, so the rules are tested without sleeping.
public struct MeasurementEmitter: Sendable {
    public let device: ModbusDeviceBinding
    private var lastEmitted: [String: (value: MeasuredValue, at: Duration)] = [:]

    /// What one poll produced: events to accept and registers that could not be decoded.
    public struct Output: Sendable, Equatable {
        public var events: [EventDraft] = []
        public var rejections: [Rejection] = []
    }

    public init(device: ModbusDeviceBinding) {
        self.device = device
    }

    /// One successful poll. `wallMillis` stamps the events; `now` is a monotonic instant for the heartbeat.
    public mutating func poll(_ data: ModbusBlockData, wallMillis: Int64, now: Duration) -> Output {
        let profile = device.profile
        var output = Output()
        if let flagName = profile.emit.whileStable, let flag = profile.registers.first(where: { $0.name == flagName }) {
            guard case .success(.flag(true)) = flag.decode(from: data) else { return output }
        }
        for register in profile.metrics {
            let value: MeasuredValue
            switch register.decode(from: data) {
            case .success(let decoded): value = decoded
            case .failure(let rejection):
                output.rejections.append(rejection)
                continue
            }
            guard shouldEmit(register, value, now: now) else { continue }
            lastEmitted[register.name] = (value, now)
            output.events.append(event(register, value, wallMillis: wallMillis))
        }
        return output
    }

    private func shouldEmit(_ register: ModbusRegister, _ value: MeasuredValue, now: Duration) -> Bool {
        guard let last = lastEmitted[register.name] else { return true }
        if device.profile.emit.onChange && Self.moved(from: last.value, to: value, deadband: register.deadband) { return true }
        if let heartbeat = device.profile.emit.heartbeat, now - last.at >= heartbeat { return true }
        return false
    }

    /// Whether `value` differs from `last` by at least `deadband` (any change when the deadband is 0).
    static func moved(from last: MeasuredValue, to value: MeasuredValue, deadband: Double) -> Bool {
        switch (last, value) {
        case (.number(let old), .number(let new)):
            let change = abs(new - old)
            guard deadband > 0 else { return change > 0 }
            // Tolerate binary rounding: 12.49 - 12.48 is 0.00999…, and that is a change of one deadband.
            return change >= deadband - 1e-9 * max(1, abs(new))
        default:
            return last != value
        }
    }

    private func event(_ register: ModbusRegister, _ value: MeasuredValue, wallMillis: Int64) -> EventDraft {
        var subject = JSONObject()
        for key in ModbusDeviceBinding.subjectKeys {
            if let text = device.set[key] { subject[key] = .string(text) }
        }
        var data = JSONObject()
        data["metric"] = .string(register.name)
        data["value"] = value.json
        if let unit = register.unit { data["unit"] = .string(unit) }
        return EventDraft(type: .measurement, device: device.id, occurredAtMillis: wallMillis, subject: subject, data: data)
    }
}
