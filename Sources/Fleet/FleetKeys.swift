import Crypto
import Foundation
public import WaystationCore

/// Ed25519 keys that sign fleet messages, and the key id that names one in a message.
///
/// A key id is the first 8 bytes of SHA-256 over the 32 raw public-key bytes, in lower-case hex (16
/// characters): short enough to read in a log, derived from the key itself, so it needs no registry.
public enum FleetKeys {
    /// The file form of a private key: `ed25519-private:BASE64` of the 32-byte seed.
    public static let privatePrefix = "ed25519-private:"

    public static func keyID(publicKey: [UInt8]) -> String {
        hex(SHA256.hash(data: publicKey).prefix(8))
    }

    public static func keyID(_ key: AgentConfig.TrustedKey) -> String { keyID(publicKey: key.publicKey) }

    /// A new key pair: the private key file text, the public key as it goes into `control.trustedKeys`, the key id.
    public static func generate() -> (privateKey: String, publicKey: String, keyID: String) {
        let key = Curve25519.Signing.PrivateKey()
        let publicBytes = Array(key.publicKey.rawRepresentation)
        return (
            privatePrefix + key.rawRepresentation.base64EncodedString(),
            AgentConfig.TrustedKey.prefix + Data(publicBytes).base64EncodedString(),
            keyID(publicKey: publicBytes)
        )
    }

    /// Lower-case hex SHA-256 of `bytes`: how a handled message is remembered without keeping it.
    public static func digest(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}

/// Signs fleet messages with one private key (`waystation config sign`).
public struct FleetSigner: Sendable {
    private let key: Curve25519.Signing.PrivateKey
    public let keyID: String
    public let publicKey: String

    /// Reads the text of a private key file (`ed25519-private:BASE64`, as `waystation keygen` writes it).
    public init(privateKeyText: String) throws(FleetError) {
        let text = privateKeyText.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix(FleetKeys.privatePrefix), let seed = Data(base64Encoded: String(text.dropFirst(FleetKeys.privatePrefix.count))),
            seed.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        else {
            throw FleetError("not an Ed25519 private key (expected \(FleetKeys.privatePrefix)BASE64, as waystation keygen writes it)")
        }
        self.key = key
        let publicBytes = Array(key.publicKey.rawRepresentation)
        keyID = FleetKeys.keyID(publicKey: publicBytes)
        publicKey = AgentConfig.TrustedKey.prefix + Data(publicBytes).base64EncodedString()
    }

    /// The base64 signature over `bytes`.
    public func sign(_ bytes: [UInt8]) throws(FleetError) -> String {
        do {
            return try key.signature(for: bytes).base64EncodedString()
        } catch {
            throw FleetError("signing failed: \(error)")
        }
    }
}

/// Checks signatures against the trusted keys.
public struct FleetVerifier: Sendable {
    public let trustedKeys: [AgentConfig.TrustedKey]

    public init(trustedKeys: [AgentConfig.TrustedKey]) {
        self.trustedKeys = trustedKeys
    }

    /// The trusted key that made `signature` over `bytes`, or why there is none.
    public func verify(keyID: String?, signature: String?, over bytes: [UInt8]) -> Result<AgentConfig.TrustedKey, FleetError> {
        guard let signature, !signature.isEmpty else {
            return .failure(FleetError("unsigned: the message has no signature (sign it with waystation config sign)"))
        }
        guard let keyID, !keyID.isEmpty else {
            return .failure(FleetError("the message has a signature but no keyId naming the key that made it"))
        }
        let ids = trustedKeys.map(FleetKeys.keyID)
        guard let index = ids.firstIndex(of: keyID) else {
            return .failure(FleetError("signed by key \(keyID), which is not trusted here (trusted key ids: \(ids.joined(separator: ", ")))"))
        }
        guard let signatureBytes = Data(base64Encoded: signature) else {
            return .failure(FleetError("the signature is not base64"))
        }
        let key = trustedKeys[index]
        guard let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: key.publicKey),
            publicKey.isValidSignature(signatureBytes, for: bytes)
        else {
            return .failure(FleetError("bad signature: the message was not signed by key \(keyID) as it stands (altered after signing?)"))
        }
        return .success(key)
    }
}

/// A problem with a fleet message or key, in words a human can act on.
public struct FleetError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
