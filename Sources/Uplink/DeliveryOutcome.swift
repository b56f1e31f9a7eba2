public import Outbox

/// What one delivery attempt of a sealed batch came to, as the lane needs to act on it (DESIGN.md 3.5).
public enum DeliveryOutcome: Sendable, Equatable {
    /// The upstream has the batch; `refused` events go to the dead letter.
    case delivered(refused: [EventRefusal])
    /// Try the same sealed batch again, not before `retryAfter` if the upstream said so.
    case retry(reason: String, retryAfter: Duration?)
    /// Credentials refused (401/403): pause the lane, retry slowly, never drop.
    case authFailed(reason: String)
}

/// Where sealed batches go: the HTTPS endpoint (and, later, a central MQTT broker).
public protocol BatchSink: Sendable {
    func deliver(_ batch: SealedBatch) async -> DeliveryOutcome
    func shutdown() async
}
