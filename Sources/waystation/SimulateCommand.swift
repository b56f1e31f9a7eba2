import ArgumentParser
import Logging
import Simulators
import WaystationCore

struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate", abstract: "Device simulators for demos and tests.", subcommands: [Scanner.self])

    struct Scanner: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish realistic GS1/EAN scans over MQTT (QoS 1, with message ids).")

        @Option(help: "Floor broker URL.") var broker = "mqtt://127.0.0.1:1883"
        @Option(help: "Topic; {n} is the scanner number.") var topic = "warehouse/dock1/scanner/{n}/scan"
        @Option(help: "How many scanners.") var scanners = 1
        @Option(help: "How many scans in all.") var count = 100
        @Option(help: "Scans per second in all; 0 = as fast as the broker acknowledges.") var rate: Double = 50
        @Option(help: "MQTT client id (message ids are <client-id>-<n>).") var clientID = "waystation-sim-scanner"
        @Option(help: "Mode to put in each payload (receive, pick, load, …).") var mode: String?

        func run() async throws {
            guard let url = BrokerURL(broker) else { throw CLIFailure.invalid("--broker: '\(broker)' is not an mqtt:// URL") }
            guard count >= 0, scanners >= 1, rate >= 0 else { throw CLIFailure.invalid("--count, --scanners and --rate must be positive") }
            Logs.bootstrap(level: .warning, json: false)
            let simulator = ScannerSimulator(
                options: .init(broker: url, topic: topic, scanners: scanners, count: count, rate: rate, clientID: clientID, mode: mode),
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
