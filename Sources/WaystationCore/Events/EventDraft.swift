/// An event as ingest produced it, before the outbox accepts it and gives it an id, a lane and a `seq`.
public struct EventDraft: Sendable, Equatable {
    public var type: EventType
    public var device: String
    /// When the device says the reading happened, in milliseconds since 1970; `nil` means "when accepted".
    public var occurredAtMillis: Int64?
    public var subject: JSONObject
    public var data: JSONObject

    public init(
        type: EventType, device: String, occurredAtMillis: Int64? = nil,
        subject: JSONObject = JSONObject(), data: JSONObject = JSONObject()
    ) {
        self.type = type
        self.device = device
        self.occurredAtMillis = occurredAtMillis
        self.subject = subject
        self.data = data
    }

    public var lane: Lane { type.lane }

    /// The part of the canonical event that is fixed at acceptance: everything but `id`, `stream`, `lane`,
    /// `seq` and `schema`, which the outbox adds when it serialises. Starts with `"type":`, no braces.
    public func storedFields(gateway: String, site: String?, acceptedAtMillis: Int64, clockUnsynced: Bool) -> String {
        var output = "\"type\":"
        JSONValue.string(type.rawValue).encode(into: &output)
        output += ",\"gateway\":"
        JSONValue.string(gateway).encode(into: &output)
        if let site {
            output += ",\"site\":"
            JSONValue.string(site).encode(into: &output)
        }
        output += ",\"device\":"
        JSONValue.string(device).encode(into: &output)
        output += ",\"occurredAt\":\"" + Timestamp.iso8601(millis: occurredAtMillis ?? acceptedAtMillis) + "\""
        output += ",\"acceptedAt\":\"" + Timestamp.iso8601(millis: acceptedAtMillis) + "\""
        if clockUnsynced { output += ",\"clockUnsynced\":true" }
        output += ",\"subject\":"
        subject.encode(into: &output)
        output += ",\"data\":"
        data.encode(into: &output)
        return output
    }
}

/// Serialises a stored event into the canonical JSON of `waystation.event/v1`.
public enum CanonicalEvent {
    public static let schema = "waystation.event/v1"

    public static func json(id: String, stream: String, lane: Lane, seq: Int64, storedFields: String) -> String {
        "{\"id\":\"\(id)\",\"stream\":\"\(stream)\",\"lane\":\"\(lane.rawValue)\",\"seq\":\(seq),"
            + "\"schema\":\"\(schema)\"," + storedFields + "}"
    }
}
