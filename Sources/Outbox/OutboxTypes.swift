public import WaystationCore

/// What ingest hands to the outbox.
public enum OutboxInput: Sendable {
    /// A new event. `dedupe` names the device's own message id: a second message with the same key is not accepted again.
    case event(EventDraft, dedupe: DedupeKey?)
    /// An input that could not become an event, kept in the `rejected` table for inspection.
    case rejected(RejectedInput)
    /// Dead letters (all, or these ids) back to the tail of their lanes with new seqs and their original ids.
    case replayDeadLetters([String]?)
}

public struct DedupeKey: Sendable, Hashable {
    public var device: String
    public var messageID: String
    public init(device: String, messageID: String) {
        self.device = device
        self.messageID = messageID
    }
}

public struct RejectedInput: Sendable {
    public var device: String?
    /// Where it came from: an MQTT topic, a Modbus address.
    public var source: String
    public var reason: String
    public var payload: [UInt8]

    /// Stored payloads are cut to this many bytes.
    public static let storedPayloadLimit = 4096

    public init(device: String?, source: String, reason: String, payload: [UInt8]) {
        self.device = device
        self.source = source
        self.reason = reason
        self.payload = payload
    }
}

/// What became of one input. An input is "accepted" only once its transaction committed.
public enum AcceptOutcome: Sendable, Equatable {
    case accepted(lane: Lane, seq: Int64)
    case duplicate
    case recordedAsRejected
    case replayed(Int)
    case failed(String)
}

/// A batch sealed for delivery: once sealed, every retry sends exactly these events with this key.
public struct SealedBatch: Sendable, Equatable {
    public var stream: String
    public var lane: Lane
    public var firstSeq: Int64
    public var lastSeq: Int64
    public var gateway: String
    public var events: [StoredEvent]
    /// How many times delivery was attempted before (persisted across restarts).
    public var attempts: Int

    /// `{stream}/{lane}/{firstSeq}-{lastSeq}` (DESIGN.md 3.5).
    public var idempotencyKey: String { "\(stream)/\(lane.rawValue)/\(firstSeq)-\(lastSeq)" }

    /// The request body: `{"gateway":…,"stream":…,"lane":…,"events":[…]}`, byte-identical on every retry.
    public var body: [UInt8] {
        var text = "{\"gateway\":"
        JSONValue.string(gateway).encode(into: &text)
        text += ",\"stream\":\"\(stream)\",\"lane\":\"\(lane.rawValue)\",\"events\":["
        for (index, event) in events.enumerated() {
            if index > 0 { text += "," }
            text += event.json
        }
        text += "]}"
        return Array(text.utf8)
    }
}

public struct StoredEvent: Sendable, Equatable {
    public var id: String
    public var seq: Int64
    /// When the outbox accepted it (wall clock), for the accepted → acknowledged latency.
    public var acceptedAtMillis: Int64
    /// The canonical event JSON.
    public var json: String
}

/// A per-event refusal from the upstream, to be dead-lettered.
public struct EventRefusal: Sendable, Equatable {
    public var id: String
    public var reason: String
    public init(id: String, reason: String) {
        self.id = id
        self.reason = reason
    }
}
