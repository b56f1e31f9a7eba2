import Foundation
import Testing
import WaystationTestSupport

@Suite("End to end: disk quota with announced gaps", .serialized)
struct QuotaTests {
    @Test("A bulk flood over the quota while the upstream is down: gap events account for every evicted seq, all critical delivered")
    func bulkFloodWithGaps() async throws {
        let harness = try await Harness.start("quota") { broker, receiver in
            let devices = """
                  - id: dock1-scanner
                    profile: gs1-scanner
                    topic: warehouse/dock1/scanner/+/scan
                  - id: cold-room
                    profile: mqtt-temperature-sensor
                    topic: warehouse/cold/+/temperature
                """
            return AgentProcess.config(broker: broker.url, upstream: receiver.url, devices: devices, state: ", maxBytes: 1MiB, minFree: 0")
        }
        defer { Task { await harness.stop() } }
        try harness.receiver.injectFault(status: 503, count: 1_000_000)
        var messages: [(topic: String, payload: [UInt8])] = []
        var scans: [String] = []
        for index in 0..<8_000 {
            messages.append(("warehouse/cold/probe-\(index % 5)/temperature", Array("{\"t\":\(Double(index % 90) / 10),\"id\":\"t-\(index)\"}".utf8)))
            if index % 25 == 0 {
                scans.append("q-\(index)")
                messages.append(("warehouse/dock1/scanner/1/scan", Array("{\"barcode\":\"4006381333931\",\"msgId\":\"q-\(index)\"}".utf8)))
            }
        }
        try await ScanPublisher(port: harness.broker.port, clientID: "flood").publishPayloads(messages)
        let accepted = await TestEnvironment.eventually(timeout: .seconds(60)) {
            (try? harness.agent.stats().totals["accepted"]).map { $0 >= Int64(messages.count) } ?? false
        }
        #expect(accepted, "\(String(describing: try? harness.agent.stats().totals))")
        let evicted = try harness.agent.stats().totals["evicted"] ?? 0
        #expect(evicted > 1_000, "a 1 MiB quota cannot hold 8,000 readings")
        try harness.receiver.clearFault()
        let drained = await TestEnvironment.eventually(timeout: .seconds(90), interval: .milliseconds(300)) { harness.agent.backlog() == 0 }
        #expect(drained)

        let events = try harness.receiver.events()
        harness.expectOrderedAndUnique(events)
        #expect(Set(events.compactMap(\.messageID)).isSuperset(of: scans), "every critical scan delivered")
        let bulkSeqs = Set(events.filter { $0.lane == "bulk" }.map(\.seq))
        var announced: [Int64] = []
        for gap in events.filter({ $0.type == "gap" }) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(gap.body.utf8)) as? [String: Any])
            let data = try #require(object["data"] as? [String: Any])
            let from = try #require((data["fromSeq"] as? NSNumber)?.int64Value)
            let to = try #require((data["toSeq"] as? NSNumber)?.int64Value)
            #expect((data["count"] as? NSNumber)?.int64Value == to - from + 1)
            #expect(data["lane"] as? String == "bulk")
            announced += Array(from...to)
        }
        #expect(Set(announced).count == announced.count, "no seq announced twice")
        #expect(Set(announced).isDisjoint(with: bulkSeqs), "nothing both delivered and announced lost")
        #expect(Set(announced).union(bulkSeqs) == Set(Int64(1)...8_000), "every bulk seq delivered or inside a gap")
        #expect(Int64(announced.count) == evicted)
        print("quota: 8000 bulk events, \(announced.count) evicted in \(events.filter { $0.type == "gap" }.count) gap events, \(bulkSeqs.count) delivered, \(scans.count) scans delivered")
        await harness.stop()
    }
}
