/// A device model described once (DESIGN.md 3.3); the config binds it to a topic or an address.
public struct DeviceProfile: Sendable, Equatable {
    public var name: String
    public var description: String?
    public var transport: Transport

    /// What the device speaks, and the mapping that goes with it.
    public enum Transport: Sendable, Equatable {
        case mqtt(MQTTPayload)
        case modbus(ModbusProfile)
    }

    /// The payload mapping of an MQTT profile. The config binds only MQTT profiles to topics, so ingest never
    /// asks a Modbus profile; if it did, the mapping refuses every payload.
    public var payload: MQTTPayload {
        if case .mqtt(let payload) = transport { return payload }
        return MQTTPayload(
            format: .text, barcode: nil, quantity: nil, occurredAt: nil, messageID: nil, mode: nil, location: nil, maxBytes: 0)
    }

    /// The register map of a Modbus profile, or nil for an MQTT profile.
    public var modbus: ModbusProfile? {
        if case .modbus(let profile) = transport { return profile }
        return nil
    }

    /// How an MQTT device's message maps to an event.
    public struct MQTTPayload: Sendable, Equatable {
        public enum Format: String, Sendable, CaseIterable {
            /// A JSON object; fields are picked by JSON pointer.
            case json
            /// The whole payload is the barcode text (trailing CR/LF removed).
            case text
        }

        public var format: Format
        public var barcode: JSONPointer?
        public var quantity: JSONPointer?
        public var occurredAt: JSONPointer?
        public var messageID: JSONPointer?
        public var mode: JSONPointer?
        public var location: JSONPointer?
        /// Payloads larger than this are rejected unread.
        public var maxBytes: Int
        /// What happens to a barcode that is not GS1 data at all (a location label, an internal code).
        public var nonGS1: NonGS1 = .scan
        /// `measurement` for sensors publishing readings over MQTT (bulk lane); `scan` for scanners.
        public var event: Event = .scan
        /// Measurement profiles: the metric's name, the JSON pointer to its number, its unit.
        public var measurement: Measurement?

        public enum Event: String, Sendable, CaseIterable {
            case scan
            case measurement
        }

        public struct Measurement: Sendable, Equatable {
            public var metric: String
            public var value: JSONPointer
            public var unit: String?
        }

        /// The `nonGS1` option of a scanner profile.
        public enum NonGS1: String, Sendable, CaseIterable {
            /// It becomes a `scan` event carrying the barcode as read, so no label is lost.
            case scan
            /// It becomes a `rejected` row: the device should only ever read GS1 labels.
            case reject
        }
    }
}

extension DeviceProfile {
    /// Parses a profile file; `name` is the file's base name.
    public static func parse(_ text: String, name: String, file: String) throws(ConfigIssues) -> DeviceProfile {
        let root: YAMLNode
        do {
            root = try YAMLNode.parse(text, file: file)
        } catch {
            throw ConfigIssues([error])
        }
        let (reader, sink) = FieldReader.root(root, file: file)
        let description = reader.string("description")
        var parsed: Transport?
        switch reader.string("transport", required: true) {
        case nil:
            break
        case "mqtt":
            if let payloadReader = reader.nested("payload") {
                parsed = parsePayload(payloadReader).map(Transport.mqtt)
                payloadReader.finish()
            } else {
                reader.report(nil, "payload", "is required for an MQTT profile")
            }
        case "modbus":
            parsed = ModbusProfile.parse(reader).map(Transport.modbus)
        case let other?:
            let hint = Suggestion.closest(to: other, in: ["mqtt", "modbus"]).map { " (did you mean '\($0)'?)" } ?? ""
            reader.report(reader.node("transport"), "transport", "'\(other)' is not a transport (mqtt, modbus)\(hint)")
        }
        reader.finish()
        guard sink.issues.isEmpty, let parsed else { throw ConfigIssues(sink.sorted) }
        return DeviceProfile(name: name, description: description, transport: parsed)
    }

    private static func parsePayload(_ reader: FieldReader) -> MQTTPayload? {
        let format = reader.choice("format", as: MQTTPayload.Format.self) ?? .json
        func pointer(_ key: String) -> JSONPointer? {
            guard let text = reader.string(key) else { return nil }
            guard let pointer = JSONPointer(text) else {
                reader.report(reader.node(key), key, "'\(text)' is not a JSON pointer (it starts with '/', e.g. /barcode)")
                return nil
            }
            if format == .text {
                reader.report(reader.node(key), key, "has no meaning for a text payload")
            }
            return pointer
        }
        let payload = MQTTPayload(
            format: format, barcode: pointer("barcode"), quantity: pointer("quantity"),
            occurredAt: pointer("occurredAt"), messageID: pointer("messageId"), mode: pointer("mode"),
            location: pointer("location"),
            maxBytes: Int(reader.size("maxBytes", minimum: 64) ?? 64 << 10),
            nonGS1: reader.choice("nonGS1", as: MQTTPayload.NonGS1.self) ?? .scan)
        var result = payload
        result.event = reader.choice("event", as: MQTTPayload.Event.self) ?? .scan
        if result.event == .measurement {
            return parseMeasurement(reader, into: result, value: pointer("value"))
        }
        for key in ["metric", "value", "unit"] where reader.has(key) {
            reader.report(reader.node(key), key, "only applies to `event: measurement` profiles")
        }
        if format == .json && payload.barcode == nil && !reader.has("barcode") {
            reader.report(nil, "barcode", "is required for a JSON payload (a JSON pointer such as /barcode)")
            return nil
        }
        return result
    }

    private static func parseMeasurement(_ reader: FieldReader, into payload: MQTTPayload, value: JSONPointer?) -> MQTTPayload? {
        var payload = payload
        let metric = reader.string("metric", required: true)
        let unit = reader.string("unit")
        if payload.format == .text { reader.report(reader.node("format"), "format", "a measurement payload is JSON") }
        if payload.barcode != nil { reader.report(reader.node("barcode"), "barcode", "has no meaning for a measurement") }
        guard let metric, let value else {
            if value == nil && !reader.has("value") { reader.report(nil, "value", "is required: the JSON pointer to the number, e.g. /t") }
            return nil
        }
        payload.measurement = MQTTPayload.Measurement(metric: metric, value: value, unit: unit)
        return payload
    }
}
