import Fleet
import Foundation
import Testing
import WaystationCore
import WaystationTestSupport

@Suite("Fleet: keygen, config sign and cmd sign on the command line")
struct FleetCommandLineTests {
    @Test("keygen writes a private key only its owner reads; config sign prints a message the public key verifies")
    func keygenAndSign() throws {
        let directory = try TestEnvironment.temporaryDirectory("fleet-cli")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let made = try TestEnvironment.run(TestEnvironment.binary, ["keygen", "--out", directory + "/fleet"])
        #expect(made.status == 0, "\(made.output)")
        let mode = try FileManager.default.attributesOfItem(atPath: directory + "/fleet.key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let again = try TestEnvironment.run(TestEnvironment.binary, ["keygen", "--out", directory + "/fleet"])
        #expect(again.status == 1 && again.output.contains("refusing to overwrite"))

        let publicKey = try String(contentsOfFile: directory + "/fleet.pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let key = try #require(AgentConfig.TrustedKey(publicKey))
        #expect(made.output.contains("key id       \(FleetKeys.keyID(key))"))
        let yaml = "gateway: { id: gw }\nupstream: { url: \"http://x/v1\" }\n"
        try yaml.write(toFile: directory + "/gw.yaml", atomically: true, encoding: .utf8)
        let signed = try TestEnvironment.run(
            TestEnvironment.binary, ["config", "sign", "--key", directory + "/fleet.key", "--version", "42", directory + "/gw.yaml"])
        #expect(signed.status == 0, "\(signed.output)")
        let message = try DesiredConfig.parse(Array(signed.output.utf8)).get()
        #expect(message.version == 42 && message.config == yaml)
        #expect((try? FleetVerifier(trustedKeys: [key]).verify(keyID: message.keyId, signature: message.signature, over: message.signedBytes).get()) != nil)

        let command = try TestEnvironment.run(
            TestEnvironment.binary, ["cmd", "sign", "--key", directory + "/fleet.key", "--nonce", "7", "reload"])
        let parsed = try SignedCommand.parse(Array(command.output.utf8)).get()
        #expect(parsed.nonce == 7)
        #expect((try? FleetVerifier(trustedKeys: [key]).verify(keyID: parsed.keyId, signature: parsed.signature, over: parsed.signedBytes(command: "reload")).get()) != nil)

        let wrongKey = try TestEnvironment.run(
            TestEnvironment.binary, ["config", "sign", "--key", directory + "/fleet.pub", "--version", "1", directory + "/gw.yaml"])
        #expect(wrongKey.status == 1 && wrongKey.output.contains("not an Ed25519 private key"))
    }
}
