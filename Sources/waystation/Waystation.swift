import ArgumentParser
import Foundation
import WaystationCore

/// `waystation`: the edge sync agent and its tools (DESIGN.md 3.1).
@main
struct Waystation: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "waystation",
        abstract: "Edge sync agent for warehouse gateways: floor devices in, canonical events out, nothing lost.",
        version: WaystationVersion.current,
        subcommands: [
            RunCommand.self, ConfigCommand.self, StatusCommand.self, DeadLetterCommand.self, RejectedCommand.self,
            SimulateCommand.self, ReceiveCommand.self, BenchCommand.self, KeygenCommand.self, CmdCommand.self,
        ])

    /// Exit codes of DESIGN.md 3.1: 0 ok, 1 invalid input or config, 2 runtime failure.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CLIFailure {
            FileHandle.standardError.write(Data((failure.message + "\n").utf8))
            Foundation.exit(failure.code)
        } catch let issues as ConfigIssues {
            FileHandle.standardError.write(Data((issues.description + "\n").utf8))
            Foundation.exit(1)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            if error is ExitCode { Foundation.exit(code.rawValue == 1 ? 1 : 2) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            // Usage errors are invalid input (1); anything else is a runtime failure (2).
            Foundation.exit(code == .validationFailure ? 1 : 2)
        }
    }
}

/// An error to print as one line, with the exit code it deserves.
struct CLIFailure: Error {
    var message: String
    var code: Int32

    static func invalid(_ message: String) -> CLIFailure { CLIFailure(message: message, code: 1) }
    static func runtime(_ message: String) -> CLIFailure { CLIFailure(message: message, code: 2) }
}
