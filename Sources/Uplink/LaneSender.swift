import Foundation
import Logging
import Outbox
import ServiceLifecycle
import WaystationCore

/// Delivers one lane: one sealed batch in flight, in seq order, retried until the upstream takes it.
struct LaneSender {
    let lane: Lane
    let outbox: Outbox
    let settings: @Sendable () -> Uplink.Settings
    let sink: @Sendable () -> any BatchSink
    let status: UplinkStatus
    let logger: Logger

    func run() async {
        var backoff = Backoff(initial: settings().retry.initial, max: settings().retry.max)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let current = settings()
            backoff.initial = current.retry.initial
            backoff.max = current.retry.max
            do {
                guard let batch = try await nextBatch(current) else { continue }
                let outcome = await sink().deliver(batch)
                switch outcome {
                case .delivered(let refused):
                    try await outbox.acknowledge(batch, refused: refused)
                    status.delivered(lane, batch: batch, refused: refused.count)
                    backoff.reset()
                    if !refused.isEmpty {
                        logger.warning(
                            "upstream refused events; moved to dead letter",
                            metadata: ["lane": "\(lane)", "batch.key": "\(batch.idempotencyKey)", "count": "\(refused.count)"])
                    }
                case .retry(let reason, let retryAfter):
                    try await outbox.recordAttempt(batch)
                    let jitter = backoff.next()
                    let delay = max(jitter, retryAfter.map { min($0, .seconds(600)) } ?? .zero)
                    status.failed(lane, reason: reason, authFailed: false)
                    logger.warning(
                        "delivery failed; retrying the same sealed batch",
                        metadata: ["lane": "\(lane)", "batch.key": "\(batch.idempotencyKey)", "reason": "\(reason)", "retry.in": "\(DurationText.format(delay))"])
                    await sleep(delay)
                case .authFailed(let reason):
                    try await outbox.recordAttempt(batch)
                    status.failed(lane, reason: reason, authFailed: true)
                    let delay = max(backoff.next(), current.retry.max)
                    logger.error(
                        "upstream refused our credentials; lane paused, nothing dropped",
                        metadata: ["lane": "\(lane)", "reason": "\(reason)", "retry.in": "\(DurationText.format(delay))"])
                    await sleep(delay)
                }
            } catch {
                logger.error("outbox read failed", metadata: ["lane": "\(lane)", "error": "\(error)"])
                await sleep(backoff.next())
            }
        }
    }

    /// The sealed batch to (re)send, or `nil` after waiting for events or lingering.
    private func nextBatch(_ settings: Uplink.Settings) async throws -> SealedBatch? {
        let generation = outbox.signal.generation(lane)
        let head = try await outbox.head(of: lane, upTo: settings.batch.maxEvents)
        if !head.sealed {
            if head.count == 0 {
                await waitForEvents(after: generation)
                return nil
            }
            // The critical lane goes as soon as it can; the bulk lane waits to fill a batch, up to `linger`.
            if lane == .bulk, head.count < settings.batch.maxEvents, let oldest = head.oldestAcceptedAtMillis {
                let remaining = settings.batch.linger.milliseconds - (Timestamp.nowMillis() - oldest)
                if remaining > 0 {
                    await sleep(.milliseconds(remaining))
                    return nil
                }
            }
        }
        return try await outbox.nextBatch(
            lane, limits: .init(maxEvents: settings.batch.maxEvents, maxBytes: Int(settings.batch.maxBytes)),
            gateway: settings.gatewayID)
    }

    private func waitForEvents(after generation: UInt64) async {
        // Bounded, so a missed signal can never stall the lane for long.
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await outbox.signal.wait(lane, after: generation) }
            group.addTask { try? await Task.sleep(for: .seconds(1)) }
            await group.next()
            group.cancelAll()
        }
    }

    private func sleep(_ duration: Duration) async {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }
}
