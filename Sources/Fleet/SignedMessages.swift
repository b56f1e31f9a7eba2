import Foundation

/// `config/desired` (DESIGN.md 3.7): a whole agent config, its version, and an Ed25519 signature over
/// `version + "\n" + config` by the key named in `keyId`.
public struct DesiredConfig: Codable, Sendable, Equatable {
    public var version: Int64
    public var config: String
    public var keyId: String?
    public var signature: String?

    public init(version: Int64, config: String, keyId: String? = nil, signature: String? = nil) {
        self.version = version
        self.config = config
        self.keyId = keyId
        self.signature = signature
    }

    /// The bytes the signature covers.
    public var signedBytes: [UInt8] { Array("\(version)\n\(config)".utf8) }

    /// Signs `config` as `version` (what `waystation config sign` prints).
    public static func signed(_ config: String, version: Int64, by signer: FleetSigner) throws(FleetError) -> DesiredConfig {
        var message = DesiredConfig(version: version, config: config, keyId: signer.keyID)
        message.signature = try signer.sign(message.signedBytes)
        return message
    }

    /// Reads a `config/desired` payload; the error says what is wrong with it.
    public static func parse(_ payload: [UInt8]) -> Result<DesiredConfig, FleetError> {
        FleetJSON.decode(DesiredConfig.self, from: payload, what: "a config/desired message {\"version\", \"config\", \"keyId\", \"signature\"}")
            .flatMap { message in
                guard message.version > 0 else { return .failure(FleetError("version must be a whole number above 0, got \(message.version)")) }
                return .success(message)
            }
    }
}

/// `cmd/<name>`: a command, a nonce that only grows (replay protection), optional arguments, and a signature
/// over `"cmd/" + name + "\n" + nonce + "\n" + args` — the name is signed too, so a signed `flush` cannot be
/// replayed as a `reload`.
public struct SignedCommand: Codable, Sendable, Equatable {
    public var nonce: Int64
    public var args: String?
    public var keyId: String?
    public var signature: String?

    public init(nonce: Int64, args: String? = nil, keyId: String? = nil, signature: String? = nil) {
        self.nonce = nonce
        self.args = args
        self.keyId = keyId
        self.signature = signature
    }

    public func signedBytes(command: String) -> [UInt8] { Array("cmd/\(command)\n\(nonce)\n\(args ?? "")".utf8) }

    public static func signed(_ command: String, nonce: Int64, args: String?, by signer: FleetSigner) throws(FleetError) -> SignedCommand {
        var message = SignedCommand(nonce: nonce, args: args, keyId: signer.keyID)
        message.signature = try signer.sign(message.signedBytes(command: command))
        return message
    }

    public static func parse(_ payload: [UInt8]) -> Result<SignedCommand, FleetError> {
        FleetJSON.decode(SignedCommand.self, from: payload, what: "a command {\"nonce\", \"args\", \"keyId\", \"signature\"}")
    }
}

/// `config/reported`: what became of one `config/desired` message.
public struct ConfigReport: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case applied, rejected
        case rolledBack = "rolled-back"
    }

    /// The version the report is about (0 when the message had none that could be read).
    public var version: Int64
    public var status: Status
    public var errors: [String]
    public var at: String
    /// The version running after this outcome.
    public var running: Int64

    public init(version: Int64, status: Status, errors: [String], at: String, running: Int64) {
        self.version = version
        self.status = status
        self.errors = errors
        self.at = at
        self.running = running
    }
}

/// `cmd/<name>/result`.
public struct CommandResult: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case done, rejected, failed }
    public var command: String
    public var nonce: Int64
    public var status: Status
    public var result: String?
    public var errors: [String]
    public var at: String
}

/// One JSON style for everything Fleet publishes and stores: sorted keys, one line.
public enum FleetJSON {
    public static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Our own Codable values of strings and numbers: encoding cannot fail.
        return Array((try? encoder.encode(value)) ?? Data("{}".utf8))
    }

    public static func text(_ value: some Encodable) -> String { String(decoding: encode(value), as: UTF8.self) }

    static func decode<T: Decodable>(_ type: T.Type, from payload: [UInt8], what: String) -> Result<T, FleetError> {
        do {
            return .success(try JSONDecoder().decode(type, from: Data(payload)))
        } catch DecodingError.keyNotFound(let key, _) {
            return .failure(FleetError("not \(what): '\(key.stringValue)' is missing"))
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            return .failure(FleetError("not \(what): '\(field)' has the wrong type"))
        } catch {
            return .failure(FleetError("not \(what): the payload is not valid JSON"))
        }
    }
}
