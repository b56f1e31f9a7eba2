import Foundation
import Testing
import WaystationTestSupport

/// A broker, a receiver and an agent on loopback, in one temporary directory.
struct Harness {
    let directory: String
    let broker: Broker
    let receiver: Receiver
    let agent: AgentProcess

    static func start(
        _ label: String, receiverArguments: [String] = [], durability: String = "process", sessions: Int = 1,
        config: ((Broker, Receiver) -> String)? = nil
    ) async throws -> Harness {
        let directory = try TestEnvironment.temporaryDirectory(label)
        let broker = try Broker(directory: directory)
        let receiver = try Receiver(directory: directory, arguments: receiverArguments)
        #expect(await broker.ready(), "mosquitto did not start: see \(directory)/mosquitto.log")
        #expect(await receiver.ready(), "receiver did not start: see \(directory)/receiver.log")
        let text = config?(broker, receiver)
            ?? AgentProcess.config(broker: broker.url, upstream: receiver.url, durability: durability, sessions: sessions)
        let agent = try AgentProcess(directory: directory, config: text)
        try agent.start()
        #expect(await agent.connected(), "agent did not connect: \(agent.log)")
        return Harness(directory: directory, broker: broker, receiver: receiver, agent: agent)
    }

    func stop() async {
        await agent.stop()
        await receiver.stop()
        await broker.stop()
    }

    /// Waits until the receiver holds `count` events (or the timeout passes) and returns how many it holds.
    func delivered(_ count: Int, within timeout: Duration = .seconds(60)) async -> Int {
        _ = await TestEnvironment.eventually(timeout: timeout, interval: .milliseconds(200)) { receiver.eventCount() >= count }
        return receiver.eventCount()
    }

    /// Every (stream, lane) arrives in strictly increasing seq order, and no event id twice.
    func expectOrderedAndUnique(_ events: [Receiver.Event]) {
        #expect(Set(events.map(\.id)).count == events.count, "an event id arrived twice")
        var last: [String: Int64] = [:]
        var violations = 0
        for event in events {
            let key = event.stream + "/" + event.lane
            if let previous = last[key], event.seq <= previous { violations += 1 }
            last[key] = event.seq
        }
        #expect(violations == 0, "events arrived out of seq order")
    }
}
