import WaystationCore

/// The batch body of DESIGN.md 3.5, checked as strictly as a production receiver should.
struct BatchBody {
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    var gateway: String
    var stream: String
    var lane: String
    var events: [(id: String, stream: String, lane: String, seq: Int64, type: String, device: String?, body: String)]

    static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws -> BatchBody {
        let (value, texts) = try JSONParser.parse(bytes, keepingTextsOfArray: "events")
        guard case .object(let root) = value else { throw Problem(description: "body is not a JSON object") }
        guard let gateway = root["gateway"]?.stringValue, let stream = root["stream"]?.stringValue,
            let lane = root["lane"]?.stringValue, case .array(let items)? = root["events"]
        else { throw Problem(description: "body needs gateway, stream, lane and events") }
        guard texts.count == items.count else { throw Problem(description: "body has more than one events array") }
        var events: [(id: String, stream: String, lane: String, seq: Int64, type: String, device: String?, body: String)] = []
        for (index, item) in items.enumerated() {
            guard case .object(let event) = item, let id = event["id"]?.stringValue, case .int(let seq)? = event["seq"],
                let type = event["type"]?.stringValue, event["schema"]?.stringValue == CanonicalEvent.schema
            else { throw Problem(description: "events[\(index)] lacks id, seq, type or schema \(CanonicalEvent.schema)") }
            guard event["stream"]?.stringValue == stream, event["lane"]?.stringValue == lane else {
                throw Problem(description: "events[\(index)] has another stream or lane than its batch")
            }
            // Stored as sent: the agent's canonical text, byte for byte.
            events.append((id, stream, lane, seq, type, event["device"]?.stringValue, texts[index]))
        }
        return BatchBody(gateway: gateway, stream: stream, lane: lane, events: events)
    }
}
