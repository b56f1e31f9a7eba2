import Foundation
import Logging
import Outbox
import Testing
import Uplink
import WaystationCore
import WaystationTestSupport

/// MOCK: a sink whose request never completes on its own (it only ends when cancelled). No real upstream on
/// loopback can wedge the HTTP client this way — its timeouts fire — so this stands in for a wedged
/// connection or a lost wake-up, the failures the watchdog exists for.
struct HangingSinkMock: BatchSink {
    func deliver(_ batch: SealedBatch) async -> DeliveryOutcome {
        try? await Task.sleep(for: .seconds(3_600))
        return .retry(reason: "cancelled", retryAfter: nil)
    }
    func shutdown() async {}
}

@Suite("Uplink forward progress", .serialized)
struct WatchdogTests {
    @Test("A lane that stops making progress is restarted with a fresh sink and delivers; the process keeps running")
    func stuckLaneRestarts() async throws {
        let directory = try TestEnvironment.temporaryDirectory("watchdog")
        let receiver = try Receiver(directory: directory)
        #expect(await receiver.ready())
        let logger = Logger(label: "watchdog-test")
        let outbox = try Outbox.open(.init(directory: directory + "/state", durability: .process, gateway: "gw-1", site: nil), logger: logger)
        let made = Locked(0)
        let settings = Uplink.Settings(
            gatewayID: "gw-1", batch: .init(maxEvents: 100, maxBytes: 1 << 20, linger: .milliseconds(10)),
            retry: .init(initial: .milliseconds(50), max: .seconds(1)), timeout: .seconds(1),
            sink: .http(.init(url: receiver.url, token: nil, timeout: .seconds(1), caFile: nil, certFile: nil, keyFile: nil)))
        let uplink = try Uplink(
            settings: settings, outbox: outbox, logger: logger,
            sinkFactory: { sinkSettings, logger in
                let count = made.withLock { count in
                    count += 1
                    return count
                }
                return count == 1 ? HangingSinkMock() : try Uplink.defaultSinkFactory(sinkSettings, logger)
            },
            watchdogGrace: .seconds(1))
        _ = await outbox.accept((0..<20).map { .event(EventDraft(type: .scan, device: "d", subject: JSONObject([("barcode", .string("b\($0)"))])), dedupe: nil) })
        let running = Task { try await uplink.run() }
        let delivered = await TestEnvironment.eventually(timeout: .seconds(20)) { receiver.eventCount() == 20 }
        #expect(delivered)
        #expect((uplink.status.snapshot[Lane.critical]?.restarts ?? 0) >= 1)
        let recovered = await TestEnvironment.eventually(timeout: .seconds(5)) { uplink.status.snapshot[Lane.critical]?.lastError == nil }
        #expect(recovered, "the lane recovered")
        running.cancel()
        _ = try? await running.value
        await outbox.close()
        await receiver.stop()
    }
}
