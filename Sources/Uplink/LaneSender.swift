import Foundation
import Logging
import Metrics
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
    let heartbeat: Heartbeat
    let wakeups: LaneSignal
    let logger: Logger
    /// Accepted → acknowledged, per event (`waystation_delivery_latency_seconds`).
    var latency: Metrics.Timer { Metrics.Timer(label: "waystation_delivery_latency_seconds", dimensions: [("lane", lane.rawValue)]) }

    func run() async {
        var backoff = Backoff(initial: settings().retry.initial, max: settings().retry.max)
        /// The batch behind the one just acknowledged, sealed while that one was on the wire.
        var following: SealedBatch?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let current = settings()
            backoff.initial = current.retry.initial
            backoff.max = current.retry.max
            do {
                let next: SealedBatch? = if let following { following } else { try await nextBatch(current) }
                following = nil
                guard let batch = next else { continue }
                // A sender the watchdog gave up on must not act after it wakes: a new one owns the lane.
                if Task.isCancelled { return }
                heartbeat.expect("delivering \(batch.idempotencyKey)", within: current.timeout)
                async let prepared = prepareFollowing(batch, current)
                let outcome = await sink().deliver(batch)
                let afterThis = await prepared
                if Task.isCancelled { return }
                try await handle(outcome, of: batch, settings: current, backoff: &backoff)
                // Only after an acknowledgement: a retry or a split must send this lane's first sealed batch again.
                if case .delivered = outcome { following = afterThis }
            } catch {
                logger.error("outbox access failed", metadata: ["lane": "\(lane)", "error": "\(error)"])
                await sleep(backoff.next(), "waiting after an outbox error")
            }
        }
    }

    private func handle(_ outcome: DeliveryOutcome, of batch: SealedBatch, settings: Uplink.Settings, backoff: inout Backoff) async throws {
        let metadata: Logger.Metadata = ["lane": "\(lane)", "batch.key": "\(batch.idempotencyKey)"]
        switch outcome {
        case .delivered(let refused):
            try await outbox.acknowledge(batch, refused: refused)
            status.delivered(lane, batch: batch, refused: refused.count)
            let now = Timestamp.nowMillis()
            for event in batch.events { latency.recordMilliseconds(max(0, now - event.acceptedAtMillis)) }
            backoff.reset()
            if !refused.isEmpty {
                logger.warning("upstream refused events; moved to dead letter", metadata: metadata.merging(["count": "\(refused.count)"]) { $1 })
            }
        case .retry(let reason, let retryAfter):
            try await outbox.recordAttempt(batch)
            let delay = max(backoff.next(), retryAfter.map { min($0, .seconds(600)) } ?? .zero)
            status.failed(lane, reason: reason, authFailed: false)
            logger.warning(
                "delivery failed; retrying the same sealed batch",
                metadata: metadata.merging(["reason": "\(reason)", "retry.in": "\(DurationText.format(delay))"]) { $1 })
            await sleep(delay, "backing off after: \(reason)")
        case .authFailed(let reason):
            try await outbox.recordAttempt(batch)
            status.failed(lane, reason: reason, authFailed: true)
            let delay = max(backoff.next(), settings.retry.max)
            logger.error(
                "upstream refused our credentials; lane paused, nothing dropped",
                metadata: metadata.merging(["reason": "\(reason)", "retry.in": "\(DurationText.format(delay))"]) { $1 })
            await sleep(delay, "paused after: \(reason)")
        case .tooLarge(let reason), .poison(let reason):
            // Split and try the halves: a batch too large shrinks until it fits; a poison event is isolated
            // in O(log n) requests while everything around it is delivered in order.
            status.failed(lane, reason: reason, authFailed: false)
            if try await outbox.split(batch) {
                logger.warning("batch refused as a whole; splitting it", metadata: metadata.merging(["reason": "\(reason)", "events": "\(batch.events.count)"]) { $1 })
            } else {
                try await outbox.deadLetter(batch, reason: reason)
                status.delivered(lane, batch: batch, refused: batch.events.count)
                logger.error("event refused by the upstream; moved to dead letter", metadata: metadata.merging(["reason": "\(reason)", "event.id": "\(batch.events[0].id)"]) { $1 })
            }
        }
    }

    /// While a full batch is on the wire, seals and reads the next one (a backlog drains at the pace of the
    /// upstream, not of the upstream plus the outbox). `nil` after a partial batch or on error: the next round
    /// then reads the outbox as usual.
    private func prepareFollowing(_ batch: SealedBatch, _ settings: Uplink.Settings) async -> SealedBatch? {
        guard batch.events.count >= settings.batch.maxEvents else { return nil }
        return try? await outbox.nextBatch(
            lane, after: batch.lastSeq, limits: .init(maxEvents: settings.batch.maxEvents, maxBytes: Int(settings.batch.maxBytes)),
            gateway: settings.gatewayID)
    }

    /// The sealed batch to (re)send, or `nil` after waiting for events or lingering.
    private func nextBatch(_ settings: Uplink.Settings) async throws -> SealedBatch? {
        let generation = outbox.signal.generation(lane)
        heartbeat.expect("reading the outbox", within: .seconds(5))
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
                    await sleep(.milliseconds(remaining), "lingering to fill a batch")
                    return nil
                }
            }
        }
        heartbeat.expect("sealing a batch", within: .seconds(5))
        return try await outbox.nextBatch(
            lane, limits: .init(maxEvents: settings.batch.maxEvents, maxBytes: Int(settings.batch.maxBytes)),
            gateway: settings.gatewayID)
    }

    private func waitForEvents(after generation: UInt64) async {
        heartbeat.expect("waiting for events", within: .seconds(1))
        // Bounded, so a missed signal can never stall the lane for long.
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await outbox.signal.wait(lane, after: generation) }
            group.addTask { try? await Task.sleep(for: .seconds(1)) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Sleeps `duration`, or less if woken (`Uplink.wake`) or shutting down.
    private func sleep(_ duration: Duration, _ why: String) async {
        heartbeat.expect(why, within: duration)
        let generation = wakeups.generation(lane)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await Task.sleep(for: duration) }
                group.addTask { await wakeups.wait(lane, after: generation) }
                await group.next()
                group.cancelAll()
            }
        }
    }
}
