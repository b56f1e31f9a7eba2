import Foundation
import Modbus
import Testing
import WaystationCore
import WaystationTestSupport

/// Three units on one RTU line (a socat pseudo-terminal pair): the agent on one end, a libmodbus server answering
/// for units 1, 2 and 3 on the other. Rates are counted at the server, over a measured window.
@Suite("Modbus: RTU shared line", .serialized)
struct ModbusRTUTests {
    static let interval = 200  // ms per unit

    /// Requests per second each unit received over a window of about `seconds`.
    static func rates(_ server: ModbusServer, units: [Int], seconds: Double) async throws -> [Int: Double] {
        let before = units.map { server.requests(unit: $0) }
        let started = ContinuousClock.now
        try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
        let elapsed = ContinuousClock.now - started
        let window = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var rates: [Int: Double] = [:]
        for (index, unit) in units.enumerated() { rates[unit] = Double(server.requests(unit: unit) - before[index]) / window }
        return rates
    }

    @Test("one dead unit: the healthy ones keep their poll rate within 20%; the dead one is backed off and recovers")
    func deadUnitOnSharedLine() async throws {
        let directory = try TestEnvironment.temporaryDirectory("modbus-rtu-line")
        let line = try SerialLinePair(directory: directory)
        defer { Task { await line.stop() } }
        #expect(await line.ready(), "socat did not make the pair: see \(directory)/socat.log")
        let settings = "baud=115200&parity=N&data=8&stop=1"
        guard case .success(.rtu(let serverLine)) = ModbusEndpoint.parse("rtu://\(line.second)?\(settings)") else {
            Issue.record("bad endpoint")
            return
        }
        let server = try ModbusServer(.rtu(serverLine), units: [1, 2, 3], size: .init(input: 4))
        server.start()
        defer { Task { await server.stop() } }
        for unit in 1...3 { server.update(unit: unit) { $0.set(.input, 0, [UInt16(200 + unit), 500]) } }
        server.setBehaviour(.silent, unit: 3)

        let devices = (1...3).map { unit in
            "  - { id: sensor-\(unit), profile: every-change, endpoint: \"rtu://\(line.first)?\(settings)\", unit: \(unit), "
                + "interval: \(Self.interval)ms, timeout: 150ms }"
        }.joined(separator: "\n")
        let harness = try await ModbusHarness.start(
            "modbus-rtu", devices: devices, profiles: ["every-change": ModbusHarness.everyChangeSensor])
        defer { Task { await harness.stop() } }
        #expect(await harness.waitFor { $0.filter { $0.type == "measurement" }.count >= 4 }, "\(harness.agent.log)")
        #expect(await harness.waitFor(.seconds(10)) { _ in harness.statuses("sensor-3").contains { $0.state == "offline" } })

        // Healthy units: 5 polls/s configured (one request each), measured over 5 s while unit 3 is dead.
        let configured = 1000.0 / Double(Self.interval)
        let rates = try await Self.rates(server, units: [1, 2, 3], seconds: 5)
        for unit in [1, 2] {
            #expect(abs(rates[unit]! - configured) <= configured * 0.2, "unit \(unit): \(rates[unit]!) polls/s, configured \(configured)")
        }
        print("RTU shared line, unit 3 dead: requests/s per unit \(rates.sorted { $0.key < $1.key }.map { String(format: "%d: %.2f", $0.key, $0.value) })")
        // The dead unit: backed off to one probe per 5 s at most (a timeout each), not 5 per second.
        #expect(rates[3]! <= 0.6, "dead unit probed \(rates[3]!) times/s")
        #expect(harness.measurements("sensor-3").isEmpty)
        #expect(try harness.rejected().filter { $0.contains("sensor-3") }.count == 1, "one rejected row for the dead unit")

        // It comes back: found within one backoff period, then polled at the full rate again.
        server.setBehaviour(.answer, unit: 3)
        let back = await harness.waitFor(.seconds(10)) { _ in harness.statuses("sensor-3").contains { $0.state == "online" } }
        #expect(back, "unit 3 not back: \(harness.agent.log)")
        #expect(await harness.waitFor { _ in harness.measurements("sensor-3").contains { $0.metric == "temperature" && $0.value == 20.3 } })
        let after = try await Self.rates(server, units: [1, 2, 3], seconds: 3)
        print("RTU shared line, unit 3 back: requests/s per unit \(after.sorted { $0.key < $1.key }.map { String(format: "%d: %.2f", $0.key, $0.value) })")
        for unit in [1, 2, 3] {
            #expect(abs(after[unit]! - configured) <= configured * 0.2, "after recovery, unit \(unit): \(after[unit]!) polls/s")
        }
        #expect(harness.measurements("sensor-1").contains { $0.metric == "temperature" && $0.value == 20.1 && $0.unit == "°C" })
        #expect(harness.measurements("sensor-2").contains { $0.metric == "humidity" && $0.value == 50 && $0.unit == "%RH" })
        await harness.stop()
        await server.stop()
    }
}
