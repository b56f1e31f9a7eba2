import Foundation
import Modbus
import Testing
import WaystationTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The agent (a real process) polling real libmodbus servers on loopback, delivering to the reference receiver.
@Suite("Modbus: TCP devices end to end", .serialized)
struct ModbusTCPTests {
    /// A libmodbus server in this process, so the test sets the registers exactly and counts requests.
    static func server(units: [Int], holding: Int = 8, input: Int = 8) throws -> ModbusServer {
        let server = try ModbusServer(.tcp(host: "127.0.0.1", port: 0), units: units, size: .init(holding: holding, input: input))
        server.start()
        return server
    }

    /// Waits until `unit` has been asked `count` more times: every poll after that saw what was set before.
    static func polled(_ server: ModbusServer, unit: Int, times count: Int) async -> Bool {
        let start = server.requests(unit: unit)
        return await TestEnvironment.eventually(timeout: .seconds(10), interval: .milliseconds(10)) {
            server.requests(unit: unit) >= start + count
        }
    }

    @Test("scale and sensor values arrive with the right values, units, scale factors and subject")
    func valuesDelivered() async throws {
        let scale = try Self.server(units: [1])
        let sensors = try Self.server(units: [1, 2])  // two units behind one TCP endpoint, like a gateway
        defer { Task { await scale.stop(); await sensors.stop() } }
        scale.update(unit: 1) { bank in
            bank.setFloat32(.holding, 0, 12.48)
            bank.set(.holding, 2, [1])
        }
        sensors.update(unit: 1) { $0.set(.input, 0, [215, 473]) }
        sensors.update(unit: 2) { $0.set(.input, 0, [UInt16(bitPattern: -123), 900]) }
        let harness = try await ModbusHarness.start(
            "modbus-values",
            devices: """
                  - { id: pack-scale-1, profile: modbus-scale, endpoint: "tcp://127.0.0.1:\(scale.port)", interval: 100ms, set: { location: PACK-1 } }
                  - { id: cold-1, profile: modbus-temp-humidity, endpoint: "tcp://127.0.0.1:\(sensors.port)", unit: 1, interval: 100ms, set: { location: COLD-1 } }
                  - { id: cold-2, profile: modbus-temp-humidity, endpoint: "tcp://127.0.0.1:\(sensors.port)", unit: 2, interval: 100ms }
                """)
        defer { Task { await harness.stop() } }
        let arrived = await harness.waitFor { delivered in delivered.filter { $0.type == "measurement" }.count >= 5 }
        #expect(arrived, "measurements: \(harness.delivered())")
        let all = harness.delivered().map(\.description).sorted()
        #expect(all == [
            #"measurement cold-1 {"location":"COLD-1"} {"metric":"humidity","value":47.3,"unit":"%RH"}"#,
            #"measurement cold-1 {"location":"COLD-1"} {"metric":"temperature","value":21.5,"unit":"°C"}"#,
            #"measurement cold-2 {} {"metric":"humidity","value":90,"unit":"%RH"}"#,
            #"measurement cold-2 {} {"metric":"temperature","value":-12.3,"unit":"°C"}"#,
            #"measurement pack-scale-1 {"location":"PACK-1"} {"metric":"weight","value":12.48,"unit":"kg"}"#,
        ])
        #expect(harness.delivered().allSatisfy { $0.lane == "bulk" })
        // One request per poll: weight and stable flag are adjacent, so they are read together.
        #expect(scale.requests(unit: 1) > 0)
        await harness.stop()
    }

    @Test("deadband and stable flag: exactly the expected weights are emitted, nothing while settling")
    func deadbandAndStableFlag() async throws {
        let scale = try Self.server(units: [1])
        defer { Task { await scale.stop() } }
        func set(_ weight: Float, stable: Bool) async {
            scale.update(unit: 1) { bank in
                bank.setFloat32(.holding, 0, weight)
                bank.set(.holding, 2, [stable ? 1 : 0])
            }
            // Two whole polls after the change (one request each): the agent has seen it.
            #expect(await Self.polled(scale, unit: 1, times: 3))
        }
        scale.update(unit: 1) { $0.set(.holding, 2, [1]) }
        let harness = try await ModbusHarness.start(
            "modbus-deadband",
            devices: """
                  - { id: scale-1, profile: modbus-scale, endpoint: "tcp://127.0.0.1:\(scale.port)", interval: 50ms }
                """)
        defer { Task { await harness.stop() } }
        #expect(await harness.waitFor { $0.count == 1 }, "first reading: \(harness.delivered())")
        await set(3.0, stable: false)  // parcel settling
        await set(12.48, stable: false)
        await set(12.48, stable: true)  // settled: emitted
        await set(12.484, stable: true)  // 4 g: inside the 5 g deadband
        await set(12.486, stable: true)  // 6 g from the last one sent: emitted
        await set(0.3, stable: false)  // taken off
        await set(0, stable: true)  // empty: emitted
        #expect(await harness.waitFor { $0.count >= 4 })
        try await Task.sleep(for: .milliseconds(500))  // nothing else trickles in
        #expect(harness.measurements("scale-1").map(\.value) == [0, 12.48, 12.486, 0])
        #expect(harness.delivered().count == 4)
        await harness.stop()
    }

    @Test("exception responses (device busy, illegal address): one clear rejected row per device, counted; others unaffected")
    func exceptionResponses() async throws {
        let server = try Self.server(units: [1, 2, 3], holding: 8)
        defer { Task { await server.stop() } }
        server.setBehaviour(.exception(6), unit: 1)  // busy
        server.update(unit: 3) { bank in
            bank.setFloat32(.holding, 0, 7.5)
            bank.set(.holding, 2, [1])
        }
        let farRegister = """
            description: reads a register the device does not have
            transport: modbus
            registers:
              - { name: level, table: holding, address: 100, type: uint16 }

            """
        let endpoint = "tcp://127.0.0.1:\(server.port)"
        let harness = try await ModbusHarness.start(
            "modbus-exceptions",
            devices: """
                  - { id: busy-scale, profile: modbus-scale, endpoint: "\(endpoint)", unit: 1, interval: 50ms }
                  - { id: far-sensor, profile: far-register, endpoint: "\(endpoint)", unit: 2, interval: 50ms }
                  - { id: good-scale, profile: modbus-scale, endpoint: "\(endpoint)", unit: 3, interval: 50ms }
                """,
            profiles: ["far-register": farRegister])
        defer { Task { await harness.stop() } }
        #expect(await harness.waitFor { !$0.isEmpty })
        // Several polls of each failing unit (backed off: 100 ms, 200 ms, 400 ms … apart) …
        let polledOften = await TestEnvironment.eventually(timeout: .seconds(10), interval: .milliseconds(10)) {
            server.requests(unit: 1) >= 4 && server.requests(unit: 2) >= 4
        }
        #expect(polledOften)
        // … one rejected row each, naming device, table, address, exception and endpoint.
        let rows = try harness.rejected()
        #expect(rows.count == 2, "\(rows)")
        #expect(rows.contains { $0.contains("busy-scale: Modbus read of holding 0..2 failed: exception 6 (server device busy) (\(endpoint), unit 1)") })
        #expect(rows.contains { $0.contains("far-sensor: Modbus read of holding 100 failed: exception 2 (illegal data address) (\(endpoint), unit 2)") })
        #expect(try harness.agent.stats().totals["rejected"] == 2)
        #expect(harness.agent.log.components(separatedBy: "Modbus device problem").count - 1 == 2)
        // A unit that answers with exceptions is alive: no offline status. The healthy unit delivered.
        #expect(harness.delivered().map(\.description) == [#"measurement good-scale {} {"metric":"weight","value":7.5,"unit":"kg"}"#])
        #expect(harness.agent.isRunning)
        // No longer busy: its readings flow (after at most one backoff period).
        server.update(unit: 1) { bank in
            bank.setFloat32(.holding, 0, 1.25)
            bank.set(.holding, 2, [1])
        }
        server.setBehaviour(.answer, unit: 1)
        #expect(await harness.waitFor(.seconds(10)) { $0.contains { $0.device == "busy-scale" && $0.value == 1.25 } })
        await harness.stop()
    }

    @Test("SIGHUP applies device changes: a new device is polled, a removed one's bus is closed, nothing else restarts")
    func reloadChangesDevices() async throws {
        let first = try Self.server(units: [1])
        let second = try Self.server(units: [1])
        defer { Task { await first.stop(); await second.stop() } }
        for server in [first, second] {
            server.update(unit: 1) { bank in
                bank.setFloat32(.holding, 0, server === first ? 1.5 : 2.5)
                bank.set(.holding, 2, [1])
            }
        }
        let scaleA = #"  - { id: scale-a, profile: modbus-scale, endpoint: "tcp://127.0.0.1:\#(first.port)", interval: 50ms }"#
        let scaleB = #"  - { id: scale-b, profile: modbus-scale, endpoint: "tcp://127.0.0.1:\#(second.port)", interval: 50ms }"#
        let harness = try await ModbusHarness.start("modbus-reload", devices: scaleA)
        defer { Task { await harness.stop() } }
        #expect(await harness.waitFor { $0.contains { $0.device == "scale-a" && $0.value == 1.5 } })
        #expect(try await harness.reload(devices: scaleB), "no reload: \(harness.agent.log)")
        #expect(await harness.waitFor { $0.contains { $0.device == "scale-b" && $0.value == 2.5 } })
        // scale-a's bus is closed: its server hears nothing more.
        let polledA = first.requests(unit: 1)
        try await Task.sleep(for: .milliseconds(300))
        #expect(first.requests(unit: 1) == polledA)
        #expect(second.requests(unit: 1) > 0)
        #expect(harness.agent.log.contains("busesClosed=1"))
        await harness.stop()
    }

    @Test("a TCP device gone for 10 s: errors counted, offline then online, polling resumes, no thread or memory growth")
    func deviceGoneAndBack() async throws {
        let directory = try TestEnvironment.temporaryDirectory("modbus-outage-sim")
        let simulator = try ModbusSimulatorProcess(kind: "sensor", directory: directory, arguments: ["--tick", "50ms"])
        defer { Task { await simulator.stop() } }
        #expect(await simulator.ready(), "simulator: \(simulator.log)")
        let harness = try await ModbusHarness.start(
            "modbus-outage",
            devices: """
                  - { id: cold-1, profile: every-change, endpoint: "\(simulator.endpoint)", interval: 100ms, timeout: 300ms }
                """,
            profiles: ["every-change": ModbusHarness.everyChangeSensor])
        defer { Task { await harness.stop() } }
        #expect(await harness.waitFor { $0.count >= 3 }, "no measurements: \(harness.agent.log)")
        let pid = try #require(harness.agent.pid)
        let threadsBefore = ProcessProbe.threads(pid)
        let residentBefore = ProcessProbe.residentKiB(pid)
        #expect(ProcessProbe.threadNames(pid).filter { $0.hasPrefix("modbus") }.count == 1, "one thread for the one bus")

        await simulator.stop()
        let outage = ContinuousClock.now
        #expect(await harness.waitFor(.seconds(8)) { _ in harness.statuses("cold-1").contains { $0.state == "offline" } })
        try await Task.sleep(until: outage + .seconds(10))
        let measuredDuringOutage = harness.measurements("cold-1").count
        try simulator.start()
        #expect(await simulator.ready())
        let resumed = await harness.waitFor(.seconds(15)) { _ in harness.statuses("cold-1").contains { $0.state == "online" } }
        #expect(resumed, "did not come back: \(harness.agent.log)")
        #expect(await harness.waitFor(.seconds(10)) { _ in harness.measurements("cold-1").count >= measuredDuringOutage + 3 })

        let statuses = harness.statuses("cold-1")
        #expect(statuses.map(\.state) == ["offline", "online"])
        let online = try #require(statuses.last)
        // Backed off while away: 10 s at 100 ms would be 100 polls; 2×, 4×, … capped at 5 s is a handful.
        let failedPolls = online.data["failedPolls"].flatMap { if case .int(let n) = $0 { Int(n) } else { nil } } ?? -1
        #expect((3...12).contains(failedPolls), "failed polls while away: \(failedPolls)")
        #expect(try harness.rejected().contains { $0.contains("cold-1: Modbus connect failed: connection refused") })
        print("TCP outage: \(failedPolls) failed polls in 10 s; threads \(threadsBefore) → \(ProcessProbe.threads(pid)); RSS \(residentBefore) → \(ProcessProbe.residentKiB(pid)) KiB")
        #expect(ProcessProbe.threads(pid) <= threadsBefore + 1, "threads \(threadsBefore) → \(ProcessProbe.threads(pid))")
        #expect(ProcessProbe.threadNames(pid).filter { $0.hasPrefix("modbus") }.count == 1)
        #expect(ProcessProbe.residentKiB(pid) - residentBefore < 4096, "RSS \(residentBefore) → \(ProcessProbe.residentKiB(pid)) KiB")
        await harness.stop()
        await simulator.stop()
    }
}
