import ArgumentParser
import Fleet
import Foundation
import WaystationCore

#if canImport(Glibc)
import Glibc
#endif

/// `waystation keygen`: an Ed25519 key pair for signing pushed config and commands.
struct KeygenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make an Ed25519 key pair: NAME.key (private, mode 0600) and NAME.pub (the line for control.trustedKeys).")

    @Option(name: .long, help: "File name prefix: writes NAME.key and NAME.pub.")
    var out = "waystation-fleet"

    func run() async throws {
        let pair = FleetKeys.generate()
        let privatePath = out + ".key"
        let publicPath = out + ".pub"
        for path in [privatePath, publicPath] where FileManager.default.fileExists(atPath: path) {
            throw CLIFailure.invalid("\(path): already exists; refusing to overwrite a key")
        }
        try write(pair.privateKey + "\n", to: privatePath, mode: 0o600)
        try write(pair.publicKey + "\n", to: publicPath, mode: 0o644)
        print("private key  \(privatePath)  (keep it off the gateways)")
        print("public key   \(publicPath)")
        print("key id       \(pair.keyID)")
        print("add to control.trustedKeys: \"\(pair.publicKey)\"")
    }

    private func write(_ text: String, to path: String, mode: mode_t) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard fd >= 0 else { throw CLIFailure.runtime("\(path): cannot create: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw CLIFailure.runtime("\(path): cannot write: \(String(cString: strerror(errno)))")
        }
    }
}

/// Reads a private key file made by `waystation keygen`.
struct SigningKeyOption: ParsableArguments {
    @Option(name: .long, help: "The private key file (from waystation keygen).")
    var key: String

    func signer() throws -> FleetSigner {
        let text: String
        do {
            text = try String(contentsOfFile: key, encoding: .utf8)
        } catch {
            throw CLIFailure.invalid("\(key): cannot read the key: \(error.localizedDescription)")
        }
        do {
            return try FleetSigner(privateKeyText: text)
        } catch {
            throw CLIFailure.invalid("\(key): \(error)")
        }
    }
}

extension ConfigCommand {
    /// `waystation config sign --key KEY --version N FILE`: the `config/desired` message, ready for `mosquitto_pub -r`.
    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a signed config/desired message for FILE (publish it retained to <topicPrefix>/config/desired).")

        @OptionGroup var signing: SigningKeyOption

        @Option(name: .long, help: "The config version; every push needs a higher one than the gateway has seen.")
        var version: Int64

        @Argument(help: "The config file to push.")
        var file: String

        func validate() throws {
            guard version > 0 else { throw ValidationError("--version must be above 0") }
        }

        func run() async throws {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw CLIFailure.invalid("\(file): cannot read: \(error.localizedDescription)")
            }
            let message = try DesiredConfig.signed(text, version: version, by: try signing.signer())
            print(FleetJSON.text(message))
        }
    }
}

/// `waystation cmd sign --key KEY NAME`: a signed command for `<topicPrefix>/cmd/NAME`.
struct CmdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cmd", abstract: "Fleet commands (flush, deadletter/replay, reload).", subcommands: [Sign.self])

    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a signed command message for <topicPrefix>/cmd/NAME; the result appears on cmd/NAME/result.")

        @OptionGroup var signing: SigningKeyOption

        @Option(name: .long, help: "Replay protection: must be above every nonce the gateway has seen (default: now in milliseconds).")
        var nonce: Int64?

        @Option(name: .long, help: "Arguments: for deadletter/replay, event ids separated by spaces or commas (none: all).")
        var args: String?

        @Argument(help: "The command: flush, deadletter/replay or reload.")
        var name: String

        func run() async throws {
            let nonce = self.nonce ?? Timestamp.nowMillis()
            print(FleetJSON.text(try SignedCommand.signed(name, nonce: nonce, args: args, by: try signing.signer())))
        }
    }
}
