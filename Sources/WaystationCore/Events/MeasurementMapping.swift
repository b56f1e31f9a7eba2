/// Maps an MQTT sensor payload to a `measurement` event (bulk lane) as an `event: measurement` profile says.
public enum MeasurementMapping {
    public static func map(payload: [UInt8], device: DeviceBinding) -> Result<MappedMessage, Rejection> {
        let profile = device.profile.payload
        guard let measurement = profile.measurement else { return .failure(Rejection("profile has no measurement mapping")) }
        guard payload.count <= profile.maxBytes else {
            return .failure(Rejection("payload too large: \(payload.count) bytes, limit \(profile.maxBytes)"))
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse(payload)
        } catch {
            return .failure(Rejection(error.description))
        }
        let value: JSONValue
        switch measurement.value.resolve(in: document) {
        case .int(let number)?: value = .int(number)
        case .double(let number)?: value = .double(number)
        case nil, .null?: return .failure(Rejection("value (\(measurement.value)) is missing"))
        default: return .failure(Rejection("value (\(measurement.value)) must be a number"))
        }
        var occurredAt: Int64?
        if let pointer = profile.occurredAt, case .string(let text)? = pointer.resolve(in: document) {
            guard let millis = Timestamp.parse(text) else {
                return .failure(Rejection("occurredAt (\(pointer)): '\(text.prefix(40))' is not an RFC 3339 timestamp"))
            }
            occurredAt = millis
        }
        var messageID: String?
        if let pointer = profile.messageID {
            switch pointer.resolve(in: document) {
            case .string(let text)?: messageID = text
            case .int(let number)?: messageID = String(number)
            default: break
            }
        }
        var subject = JSONObject()
        if let location = device.set["location"] { subject["location"] = .string(location) }
        var data = JSONObject()
        data["metric"] = .string(measurement.metric)
        data["value"] = value
        if let unit = measurement.unit { data["unit"] = .string(unit) }
        if let messageID { data["messageId"] = .string(messageID) }
        let draft = EventDraft(type: .measurement, device: device.id, occurredAtMillis: occurredAt, subject: subject, data: data)
        return .success(MappedMessage(draft: draft, messageID: messageID))
    }
}
