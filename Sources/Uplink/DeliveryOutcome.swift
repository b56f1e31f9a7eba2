public import Outbox

/// What one delivery attempt of a sealed batch came to, as the lane needs to act on it (DESIGN.md 3.5).
public enum DeliveryOutcome: Sendable, Equatable {
    /// The upstream has the batch; `refused` events go to the dead letter.
    case delivered(refused: [EventRefusal])
    /// Try the same sealed batch again, not before `retryAfter` if the upstream said so.
    case retry(reason: String, retryAfter: Duration?)
    /// Credentials refused (401/403): pause the lane, retry slowly, never drop.
    case authFailed(reason: String)
    /// The batch is too large (413): send its halves.
    case tooLarge(reason: String)
    /// The upstream refused the batch as a whole without saying which events (400/422): bisect to isolate
    /// the poison events, dead-letter them with this reason, deliver the rest.
    case poison(reason: String)
}

/// Where sealed batches go: the HTTPS endpoint (and, later, a central MQTT broker).
public protocol BatchSink: Sendable {
    func deliver(_ batch: SealedBatch) async -> DeliveryOutcome
    func shutdown() async
}
