import Foundation
import Testing
import WaystationTestSupport

/// The upstream kinds: one delivery-semantics suite runs against both (DESIGN.md 3.5 and 3.6).
enum SinkKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case http, mqtt
    var testDescription: String { rawValue }
}

/// A floor broker, an upstream (the HTTP receiver, or a central broker with the MQTT receiver), an agent.
struct SinkHarness {
    let directory: String
    let floor: Broker
    let central: Broker?
    let receiver: Receiver
    let agent: AgentProcess

    static func start(_ kind: SinkKind, label: String, floorPersistent: Bool = false) async throws -> SinkHarness {
        let directory = try TestEnvironment.temporaryDirectory("\(label)-\(kind)")
        let floor = try Broker(directory: try subdirectory(directory, "floor"), persistent: floorPersistent)
        var central: Broker?
        let receiver: Receiver
        switch kind {
        case .http:
            receiver = try Receiver(directory: directory)
        case .mqtt:
            let broker = try Broker(directory: try subdirectory(directory, "central"), persistent: true)
            #expect(await broker.ready())
            central = broker
            receiver = try Receiver(directory: directory, mqtt: (broker.url, "waystation/test-gw/events"))
        }
        #expect(await floor.ready())
        #expect(await receiver.ready(), "receiver: \(directory)/receiver.log")
        let agent = try AgentProcess(
            directory: directory, config: AgentProcess.config(broker: floor.url, upstream: receiver.upstreamConfig))
        try agent.start()
        #expect(await agent.connected())
        return SinkHarness(directory: directory, floor: floor, central: central, receiver: receiver, agent: agent)
    }

    static func subdirectory(_ parent: String, _ name: String) throws -> String {
        let path = parent + "/" + name
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Takes the upstream away: the HTTP receiver process, or the central MQTT broker.
    func upstreamDown() async {
        if let central { await central.stop() } else { await receiver.stop() }
    }

    /// Brings it back on the same port (and, for MQTT, the same persistent store).
    func upstreamUp() async throws -> SinkHarness {
        guard let central else {
            try receiver.start()
            #expect(await receiver.ready())
            return self
        }
        let restarted = try Broker(directory: central.directory, port: central.port, persistent: true)
        #expect(await restarted.ready())
        return SinkHarness(directory: directory, floor: floor, central: restarted, receiver: receiver, agent: agent)
    }

    func stop() async {
        await agent.stop()
        await receiver.stop()
        await central?.stop()
        await floor.stop()
    }

    func delivered(_ count: Int, within timeout: Duration = .seconds(60)) async -> Int {
        _ = await TestEnvironment.eventually(timeout: timeout, interval: .milliseconds(200)) { receiver.eventCount() >= count }
        return receiver.eventCount()
    }

    func expectExactlyOnceInOrder(_ published: [String]) throws {
        let events = try receiver.events()
        #expect(Set(events.map(\.id)).count == events.count)
        #expect(Set(events.compactMap(\.messageID)) == Set(published))
        var last: [String: Int64] = [:]
        var violations = 0
        for event in events {
            if let previous = last[event.stream + event.lane], event.seq <= previous { violations += 1 }
            last[event.stream + event.lane] = event.seq
        }
        #expect(violations == 0, "seq order per lane at the receiver")
    }
}

@Suite("Delivery semantics, for both sinks", .serialized)
struct SinkSuiteTests {
    @Test("Scans arrive exactly once and in order", arguments: SinkKind.allCases)
    func exactlyOnce(kind: SinkKind) async throws {
        let harness = try await SinkHarness.start(kind, label: "sink-once")
        defer { Task { await harness.stop() } }
        let published = try await ScanPublisher(port: harness.floor.port).publish(0..<3_000)
        #expect(await harness.delivered(3_000) == 3_000)
        try harness.expectExactlyOnceInOrder(published)
        await harness.stop()
    }

    @Test("The upstream goes away mid-stream and returns: nothing lost, nothing twice", arguments: SinkKind.allCases)
    func upstreamRestart(kind: SinkKind) async throws {
        var harness = try await SinkHarness.start(kind, label: "sink-restart")
        defer { Task { [harness] in await harness.stop() } }
        let publisher = ScanPublisher(port: harness.floor.port)
        var published = try await publisher.publish(0..<1_000)
        #expect(await harness.delivered(1_000) == 1_000)
        await harness.upstreamDown()
        published += try await publisher.publish(1_000..<2_500)
        #expect(await TestEnvironment.eventually(timeout: .seconds(20)) { (try? harness.agent.stats().totals["accepted"]) == 2_500 })
        harness = try await harness.upstreamUp()
        #expect(await harness.delivered(2_500, within: .seconds(90)) == 2_500)
        try harness.expectExactlyOnceInOrder(published)
        await harness.stop()
    }

    @Test("The agent is killed with SIGKILL mid-stream: sealed batches are resent after restart, receivers dedupe", arguments: SinkKind.allCases)
    func killDuringDelivery(kind: SinkKind) async throws {
        let harness = try await SinkHarness.start(kind, label: "sink-kill")
        defer { Task { await harness.stop() } }
        let publishing = Task { try await ScanPublisher(port: harness.floor.port).publish(0..<4_000, rate: 2_000) }
        for _ in 0..<3 {
            try await Task.sleep(for: .milliseconds(500))
            await harness.agent.kill9()
            try harness.agent.start()
        }
        let published = try await publishing.value
        #expect(await harness.delivered(4_000) >= 3_997)
        let events = try harness.receiver.events()
        let lost = Set(published).subtracting(events.compactMap(\.messageID)).count
        #expect(lost <= 3, "at most one per kill")
        #expect(events.count == Set(events.compactMap(\.messageID)).count, "no device message twice")
        await harness.stop()
    }

    @Test("The floor broker restarts mid-stream (persistence on): nothing lost")
    func floorBrokerRestart() async throws {
        let harness = try await SinkHarness.start(.http, label: "floor-restart", floorPersistent: true)
        defer { Task { await harness.stop() } }
        let publisher = ScanPublisher(port: harness.floor.port)
        var published = try await publisher.publish(0..<1_000)
        await harness.agent.stop()  // the agent is away: the broker queues for its persistent session
        published += try await publisher.publish(1_000..<2_000)
        await harness.floor.stop()  // and the broker restarts with that queue on disk
        let floor = try Broker(directory: harness.floor.directory, port: harness.floor.port, persistent: true)
        #expect(await floor.ready())
        try harness.agent.start()
        published += try await publisher.publish(2_000..<2_500)
        #expect(await harness.delivered(2_500) == 2_500, "queued scans survived the broker restart")
        try harness.expectExactlyOnceInOrder(published)
        await floor.stop()
        await harness.stop()
    }
}
