import Agent
import ArgumentParser
import WaystationCore

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Work with agent config files.", subcommands: [Validate.self, Sign.self])

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a config and the device profiles it names; print FILE:LINE:COL: path: message per problem.")

        @Argument(help: "The config file.")
        var file: String

        func run() async throws {
            let config = try ConfigLoader(path: file).validate()
            print(
                "\(file): ok (gateway \(config.gateway.id), \(config.devices.count) MQTT and \(config.modbusDevices.count) Modbus device(s), "
                    + "upstream \(config.upstream.url))")
        }
    }
}
