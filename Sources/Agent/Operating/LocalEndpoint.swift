import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Uplink
import WaystationCore

/// The local HTTP listener (`metrics.listen`): `/metrics`, `/healthz`, `/readyz`, `/status.json` and the
/// status page at `/`. A listener that cannot bind is logged and left out; the agent keeps running.
struct LocalEndpoint: Service {
    let runtime: AgentRuntime
    let address: ListenAddress
    let telemetry: Telemetry
    let logger: Logger
    private let rate = RateTracker()

    init(runtime: AgentRuntime, address: ListenAddress, telemetry: Telemetry, logger: Logger) {
        self.runtime = runtime
        self.address = address
        self.telemetry = telemetry
        self.logger = logger
    }

    func run() async throws {
        let router = Router()
        router.get("/healthz") { _, _ in Self.json(.ok, "{\"status\":\"alive\"}") }
        router.get("/readyz") { _, _ in
            let readiness = await readiness()
            return Self.json(readiness.ready ? .ok : .serviceUnavailable, String(decoding: try JSONEncoder().encode(readiness), as: UTF8.self))
        }
        router.get("/metrics") { _, _ in
            runtime.updateMetrics(await runtime.snapshot(), telemetry: telemetry)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: telemetry.exposition())))
        }
        router.get("/status.json") { _, _ in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return Self.json(.ok, String(decoding: try encoder.encode(await runtime.snapshot()), as: UTF8.self))
        }
        router.get("/") { _, _ in
            let snapshot = await runtime.snapshot()
            let readiness = Readiness.evaluate(snapshot, needsFloor: !runtime.config.devices.isEmpty, overdueLanes: runtime.uplink.overdueLanes)
            let delivered = snapshot.lanes.reduce(0) { $0 + $1.deliveredEvents }
            let html = StatusPage.render(snapshot, ready: readiness, deliveryRate: rate.rate(total: delivered))
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
        }
        let logger = self.logger
        let app = Application(
            router: router, configuration: .init(address: .hostname(address.host, port: address.port), serverName: "waystation"),
            onServerRunning: { channel in
                logger.info("local endpoint listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
            },
            // The upstream client's loop: one thread for all of the agent's HTTP (HTTPSink.eventLoopGroup).
            eventLoopGroupProvider: .shared(HTTPSink.eventLoopGroup),
            logger: Logger(label: "waystation.http", factory: { _ in SwiftLogNoOpLogHandler() }))
        do {
            try await app.run()
        } catch {
            logger.error("local endpoint unavailable; metrics and health are off", metadata: ["address": "\(address)", "error": "\(error)"])
            try? await gracefulShutdown()
        }
    }

    func readiness() async -> Readiness {
        Readiness.evaluate(await runtime.snapshot(), needsFloor: !runtime.config.devices.isEmpty, overdueLanes: runtime.uplink.overdueLanes)
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Events per second between two looks at a growing total.
final class RateTracker: Sendable {
    private let last = Mutex<(total: Int, at: ContinuousClock.Instant)?>(nil)

    func rate(total: Int) -> Double? {
        let now = ContinuousClock.now
        return last.withLock { last in
            defer { last = (total, now) }
            guard let previous = last else { return nil }
            let seconds = (now - previous.at).seconds
            return seconds > 0 ? Double(total - previous.total) / seconds : nil
        }
    }
}
