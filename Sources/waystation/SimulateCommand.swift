import ArgumentParser
import Foundation
import Logging
import Modbus
import Simulators
import WaystationCore

struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate", abstract: "Device simulators for demos and tests.", subcommands: [Scanner.self, Scale.self, Sensor.self, ModbusBenchmark.self])

    struct Scanner: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish realistic GS1/EAN scans over MQTT (QoS 1, with message ids).")

        @Option(help: "Floor broker URL.") var broker = "mqtt://127.0.0.1:1883"
        @Option(help: "Topic; {n} is the scanner number.") var topic = "warehouse/dock1/scanner/{n}/scan"
        @Option(help: "How many scanners.") var scanners = 1
        @Option(help: "How many scans in all.") var count = 100
        @Option(help: "Scans per second in all; 0 = as fast as the broker acknowledges.") var rate: Double = 50
        @Option(help: "MQTT client id (message ids are <client-id>-<n>).") var clientID = "waystation-sim-scanner"
        @Option(help: "Mode to put in each payload (receive, pick, load, …).") var mode: String?
        @Option(help: "MQTT QoS of the publishes (0 or 1).") var qos = 1

        func run() async throws {
            guard let url = BrokerURL(broker) else { throw CLIFailure.invalid("--broker: '\(broker)' is not an mqtt:// URL") }
            guard count >= 0, scanners >= 1, rate >= 0 else { throw CLIFailure.invalid("--count, --scanners and --rate must be positive") }
            Logs.bootstrap(level: .warning, json: false)
            let simulator = ScannerSimulator(
                options: {
                    var options = ScannerSimulator.Options(
                        broker: url, topic: topic, scanners: scanners, count: count, rate: rate, clientID: clientID, mode: mode)
                    options.qos = qos == 0 ? 0 : 1
                    return options
                }(),
                logger: Logger(label: "simulate"))
            do {
                let report = try await simulator.run()
                print("published \(report.published) scans in \(String(format: "%.2f", report.seconds))s (\(Int(report.rate))/s)")
            } catch {
                throw CLIFailure.runtime("simulate scanner: \(error)")
            }
        }
    }
}

/// Where a simulated Modbus device listens and which units it answers for.
struct ModbusServerOptions: ParsableArguments {
    @Option(help: "Serve Modbus TCP on HOST:PORT.") var listen = "127.0.0.1:1502"
    @Option(help: "Serve Modbus RTU on a serial line instead, e.g. rtu:///dev/ttyUSB1?baud=9600&parity=N&data=8&stop=1.")
    var rtu: String?
    @Option(name: .customLong("unit"), help: "Unit id to answer for; repeat for several units on one line.") var units: [Int] = [1]
    @Option(help: "Seed of the value sequence, to repeat a run.") var seed: UInt64 = 1
    @Option(help: "How often values change, e.g. 100ms.") var tick = "100ms"

    func run(_ kind: ModbusSimulator.Kind) async throws {
        guard units.allSatisfy({ (1...247).contains($0) }) else { throw CLIFailure.invalid("--unit: unit ids are 1...247") }
        guard let tick = DurationText.parse(tick), tick >= .milliseconds(10) else {
            throw CLIFailure.invalid("--tick: '\(self.tick)' is not a duration of at least 10ms")
        }
        let transport: ModbusServer.Transport
        if let rtu {
            guard case .success(.rtu(let line)) = ModbusEndpoint.parse(rtu) else {
                throw CLIFailure.invalid("--rtu: '\(rtu)' is not an rtu:///dev/… endpoint")
            }
            transport = .rtu(line)
        } else {
            guard case .success(.tcp(let host, let port)) = ModbusEndpoint.parse("tcp://" + listen) else {
                throw CLIFailure.invalid("--listen: '\(listen)' is not HOST:PORT")
            }
            transport = .tcp(host: host, port: port)
        }
        let simulator: ModbusSimulator
        do {
            simulator = try ModbusSimulator(options: .init(kind: kind, transport: transport, units: units, seed: seed, tick: tick))
        } catch {
            throw CLIFailure.runtime("simulate \(kind.rawValue): \(error)")
        }
        let place = rtu ?? "tcp://\(listen.split(separator: ":").dropLast().joined(separator: ":")):\(simulator.server.port)"
        // Unbuffered: tests and scripts wait for this line.
        FileHandle.standardOutput.write(
            Data("modbus \(kind.rawValue) simulator serving \(place) (units \(units.map(String.init).joined(separator: ", ")))\n".utf8))
        // SIGTERM/SIGINT: say how many requests each unit served (benchmarks read it), then exit.
        let units = self.units
        let server = simulator.server
        let sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let counts = units.map { server.requests(unit: $0) }
                let detail = zip(units, counts).map { "unit \($0): \($1)" }.joined(separator: ", ")
                FileHandle.standardOutput.write(Data("served \(counts.reduce(0, +)) requests (\(detail))\n".utf8))
                Foundation.exit(0)
            }
            source.resume()
            return source
        }
        await simulator.run()
        sources.forEach { $0.cancel() }
    }
}

extension SimulateCommand {
    struct Scale: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A Modbus weighing scale (Devices/modbus-scale.yaml): parcels settle, then read stable.")
        @OptionGroup var server: ModbusServerOptions
        func run() async throws { try await server.run(.scale) }
    }

    struct Sensor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A Modbus temperature/humidity sensor (Devices/modbus-temp-humidity.yaml) drifting like a cold room.")
        @OptionGroup var server: ModbusServerOptions
        func run() async throws { try await server.run(.sensor) }
    }

    /// Polls one unit back to back and reports requests/s and CPU: `scripts/modbus-benchmark` runs it.
    struct ModbusBenchmark: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "modbus-benchmark", abstract: "Measure the Modbus poll path against a server.", shouldDisplay: false)
        @Option(help: "The server, tcp://HOST:PORT or rtu:///dev/….") var endpoint = "tcp://127.0.0.1:1502"
        @Option(help: "Unit id.") var unit = 1
        @Option(help: "Holding registers read per request (from address 0).") var registers = 3
        @Option(help: "Seconds to run.") var seconds: Double = 5

        func run() async throws {
            guard case .success(let target) = ModbusEndpoint.parse(endpoint) else { throw CLIFailure.invalid("--endpoint: '\(endpoint)'") }
            Logs.bootstrap(level: .warning, json: false)
            let report = await ModbusPollBenchmark.run(
                endpoint: target, unit: unit, blocks: [ModbusReadBlock(table: .holding, address: 0, count: registers)], seconds: seconds,
                logger: Logger(label: "benchmark"))
            print(
                String(
                    format: "%d requests in %.2fs: %.0f requests/s, %d failed; CPU %.2fs = %.0f%% of one core, %.1f µs per request",
                    report.requests, report.seconds, report.requestsPerSecond, report.failures, report.cpuSeconds, report.cpuPercent,
                    report.cpuMicrosPerRequest))
        }
    }
}
