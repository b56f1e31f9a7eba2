import Fleet
import Foundation
import Testing
import WaystationCore

@Suite("Fleet: keys, signatures and message formats")
struct FleetSigningTests {
    let signer = try! FleetSigner(privateKeyText: FleetKeys.generate().privateKey)

    var trusted: AgentConfig.TrustedKey { AgentConfig.TrustedKey(signer.publicKey)! }

    @Test("A key id is the first 8 bytes of SHA-256 of the public key, in hex")
    func keyID() {
        // SHA-256 of 32 zero bytes starts 66687aadf862bd77.
        #expect(FleetKeys.keyID(publicKey: [UInt8](repeating: 0, count: 32)) == "66687aadf862bd77")
        #expect(signer.keyID == FleetKeys.keyID(trusted))
        #expect(signer.keyID.count == 16)
    }

    @Test("A signed config verifies; tampering with YAML or version, or another key, does not")
    func verification() throws {
        let message = try DesiredConfig.signed("gateway: { id: gw }\n", version: 7, by: signer)
        let verifier = FleetVerifier(trustedKeys: [trusted])
        #expect(try verifier.verify(keyID: message.keyId, signature: message.signature, over: message.signedBytes).get() == trusted)

        var tampered = message
        tampered.config += "# changed\n"
        #expect(failure(verifier, tampered)?.contains("bad signature") == true)
        var bumped = message
        bumped.version = 8
        #expect(failure(verifier, bumped)?.contains("bad signature") == true)

        let stranger = try DesiredConfig.signed(message.config, version: 7, by: FleetSigner(privateKeyText: FleetKeys.generate().privateKey))
        #expect(failure(verifier, stranger)?.contains("not trusted here") == true)
        #expect(failure(verifier, DesiredConfig(version: 7, config: message.config))?.contains("unsigned") == true)
    }

    @Test("A command signature covers its name: a signed flush is no reload")
    func commandNameIsSigned() throws {
        let flush = try SignedCommand.signed("flush", nonce: 5, args: nil, by: signer)
        let verifier = FleetVerifier(trustedKeys: [trusted])
        #expect((try? verifier.verify(keyID: flush.keyId, signature: flush.signature, over: flush.signedBytes(command: "flush")).get()) != nil)
        #expect((try? verifier.verify(keyID: flush.keyId, signature: flush.signature, over: flush.signedBytes(command: "reload")).get()) == nil)
    }

    @Test("Malformed desired messages get a readable reason")
    func malformed() {
        #expect(parseError("not json") == "not a config/desired message {\"version\", \"config\", \"keyId\", \"signature\"}: the payload is not valid JSON")
        #expect(parseError(#"{"config": "x"}"#)?.contains("'version' is missing") == true)
        #expect(parseError(#"{"version": "7", "config": "x"}"#)?.contains("'version' has the wrong type") == true)
        #expect(parseError(#"{"version": 0, "config": "x"}"#)?.contains("above 0") == true)
    }

    @Test("Private keys are read back as written; anything else is refused with a reason")
    func privateKeyFiles() throws {
        let pair = FleetKeys.generate()
        let signer = try FleetSigner(privateKeyText: pair.privateKey + "\n")
        #expect(signer.publicKey == pair.publicKey)
        #expect(signer.keyID == pair.keyID)
        #expect(throws: FleetError.self) { try FleetSigner(privateKeyText: pair.publicKey) }
    }

    @Test("The fleet record survives a save and a load")
    func record() throws {
        let directory = NSTemporaryDirectory() + "fleet-record-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = FleetStore(stateDirectory: directory)
        #expect(try store.load() == FleetRecord())
        var record = FleetRecord()
        record.applied = try DesiredConfig.signed("gateway: { id: gw }\n", version: 3, by: signer)
        record.highestVersion = 4
        record.commandNonce = 99
        try store.save(record)
        #expect(try store.load() == record)
        let mode = try FileManager.default.attributesOfItem(atPath: store.directory)[.posixPermissions] as? Int
        #expect(mode == 0o700)
    }

    private func failure(_ verifier: FleetVerifier, _ message: DesiredConfig) -> String? {
        if case .failure(let error) = verifier.verify(keyID: message.keyId, signature: message.signature, over: message.signedBytes) {
            return error.message
        }
        return nil
    }

    private func parseError(_ text: String) -> String? {
        if case .failure(let error) = DesiredConfig.parse(Array(text.utf8)) { return error.message }
        return nil
    }
}
