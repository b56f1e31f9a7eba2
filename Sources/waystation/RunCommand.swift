import Agent
import ArgumentParser
import Logging
import WaystationCore

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the agent in the foreground (what systemd starts).")

    @Option(name: .long, help: "The agent config file.")
    var config: String = "/etc/waystation/waystation.yaml"

    func run() async throws {
        let loaded = try ConfigLoader(path: config).load()
        Logs.bootstrap(level: loaded.config.log.level.loggerLevel, json: loaded.config.log.format == .json)
        let logger = Logger(label: "waystation")
        let runtime: AgentRuntime
        do {
            runtime = try AgentRuntime(loaded: loaded, configPath: config, logger: logger)
        } catch {
            throw CLIFailure.runtime("\(error)")
        }
        logger.info(
            "waystation starting",
            metadata: ["version": "\(WaystationVersion.current)", "gateway": "\(loaded.config.gateway.id)", "devices": "\(loaded.config.devices.count)", "config": "\(config)"])
        do {
            try await runtime.serviceGroup().run()
        } catch {
            throw CLIFailure.runtime("waystation stopped: \(error)")
        }
        logger.info("waystation stopped")
    }
}

/// Logging set-up shared by the commands: one line per record on stdout.
enum Logs {
    static func bootstrap(level: Logger.Level, json: Bool) {
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, level: level, json: json) }
    }
}
