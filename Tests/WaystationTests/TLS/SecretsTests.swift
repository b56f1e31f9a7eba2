import Foundation
import Testing
import WaystationTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Secrets come from files and never come out: the agent runs with a floor password, a control password and an
/// upstream token whose values are unique strings, through delivery, a pushed config, reloads and authentication
/// failures on both sides, and then everything it wrote — log, status, store, heartbeats and `config/reported` —
/// is searched for those values.
@Suite("Secrets: read from files, never written anywhere", .serialized)
struct SecretsTests {
    @Test("No secret value in the log, status, the store, heartbeats or config/reported; a readable secret file is warned about")
    func secretsNeverLeak() async throws {
        let directory = try TestEnvironment.temporaryDirectory("secrets")
        let unique = UUID().uuidString.prefix(8)
        let floorPassword = "floor-pw-\(unique)-s3cr3t"
        let token = "upstream-token-\(unique)-s3cr3t"
        let wrongFloorPassword = "wrong-floor-pw-\(unique)"
        let wrongToken = "wrong-token-\(unique)"
        let controlPassword = "control-pw-\(unique)-s3cr3t"
        let secrets = [floorPassword, token, wrongFloorPassword, wrongToken, controlPassword]

        // The floor broker: devices publish anonymously on the plain listener, the agent logs in on another.
        let passwords = directory + "/mosquitto.passwd"
        let made = try TestEnvironment.run("/usr/bin/mosquitto_passwd", ["-b", "-c", passwords, "waystation", floorPassword])
        #expect(made.status == 0, "mosquitto_passwd: \(made.output)")
        let addedControl = try TestEnvironment.run("/usr/bin/mosquitto_passwd", ["-b", passwords, "control", controlPassword])
        #expect(addedControl.status == 0, "mosquitto_passwd: \(addedControl.output)")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: passwords)
        let authPort = TestEnvironment.freePort()
        let broker = try ConfiguredBroker(
            directory: directory, name: "mosquitto-auth",
            listeners: "listener \(authPort) 127.0.0.1\nallow_anonymous false\npassword_file \(passwords)")
        #expect(await broker.ready(), "mosquitto did not start: \(broker.log)")
        // Everything the agent publishes on the control topics (heartbeats, config/reported), as the centre sees it.
        let centre = try ChildProcess(
            name: "centre", executable: "/usr/bin/mosquitto_sub",
            arguments: ["-h", "127.0.0.1", "-p", "\(broker.port)", "-t", "waystation/test-gw/#", "-v"], logPath: directory + "/centre.log")
        let keygen = try TestEnvironment.run(TestEnvironment.binary, ["keygen", "--out", directory + "/fleet"])
        #expect(keygen.status == 0, "keygen: \(keygen.output)")
        let trustedKey = try String(contentsOfFile: directory + "/fleet.pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)

        let receiverDirectory = directory + "/receiver"
        try FileManager.default.createDirectory(atPath: receiverDirectory, withIntermediateDirectories: true)
        try token.write(toFile: receiverDirectory + "/token", atomically: true, encoding: .utf8)
        let receiver = try Receiver(directory: receiverDirectory, arguments: ["--token-file", receiverDirectory + "/token"])
        #expect(await receiver.ready())

        // Secret files: the password private as it should be, the token world-readable to draw the warning.
        let secretDirectory = directory + "/secrets"
        try FileManager.default.createDirectory(atPath: secretDirectory, withIntermediateDirectories: true)
        let passwordFile = secretDirectory + "/floor.pass"
        let tokenFile = secretDirectory + "/upstream.token"
        func writeSecret(_ value: String, _ file: String, mode: Int) throws {
            try (value + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file)
        }
        try writeSecret(floorPassword, passwordFile, mode: 0o600)
        try writeSecret(token, tokenFile, mode: 0o644)
        let controlFile = secretDirectory + "/control.pass"
        try writeSecret(controlPassword, controlFile, mode: 0o600)
        let config = AgentProcess.config(
            broker: "mqtt://127.0.0.1:\(authPort)", upstream: "url: \(receiver.url)\n  tokenFile: \(tokenFile)"
        ).replacingOccurrences(of: "keepAlive: 5s }", with: "keepAlive: 5s, username: waystation, passwordFile: \(passwordFile) }")
            + """

            control:
              url: mqtt://127.0.0.1:\(authPort)
              username: control
              passwordFile: \(controlFile)
              trustedKeys: ["\(trustedKey)"]
              heartbeat: 1s
              probation: 1s
            """
        let agent = try AgentProcess(directory: directory, config: config)
        try agent.start()
        #expect(await agent.connected(), "agent did not log in to the floor broker: \(agent.log)")
        #expect(agent.log.contains("upstream.tokenFile: \(tokenFile) is readable by other users (mode 0644)"))
        #expect(!agent.log.contains("floor.passwordFile: \(passwordFile) is readable"))

        let devices = ScanPublisher(port: broker.port, clientID: "secret-device")
        try await devices.publish(0..<20)
        #expect(await receiver.waitForEvents(20) == 20, "not delivered: \(agent.log)")

        // A pushed config (the same file with another batch size), signed, applied and reported.
        let pushed = directory + "/pushed.yaml"
        try config.replacingOccurrences(of: "maxEvents: 200", with: "maxEvents: 100").write(toFile: pushed, atomically: true, encoding: .utf8)
        let signed = try TestEnvironment.run(TestEnvironment.binary, ["config", "sign", "--key", directory + "/fleet.key", "--version", "1", pushed])
        #expect(signed.status == 0, "config sign: \(signed.output)")
        try signed.output.write(toFile: directory + "/desired.json", atomically: true, encoding: .utf8)
        let published = try TestEnvironment.run(
            "/usr/bin/mosquitto_pub",
            ["-h", "127.0.0.1", "-p", "\(broker.port)", "-q", "1", "-r", "-t", "waystation/test-gw/config/desired", "-f", directory + "/desired.json"])
        #expect(published.status == 0, "mosquitto_pub: \(published.output)")
        #expect(
            await TestEnvironment.eventually(timeout: .seconds(20)) { centre.log.contains("config/reported") && centre.log.contains("\"applied\"") },
            "no config/reported applied: \(centre.log)")

        // Upstream refuses a wrong token: the lane pauses (auth-failed) and nothing is dropped.
        var offset = agent.log.count
        try writeSecret(wrongToken, tokenFile, mode: 0o600)
        agent.signal(SIGHUP)
        #expect(await TestEnvironment.eventually(timeout: .seconds(10)) { agent.log(after: offset).contains("config reloaded") })
        try await devices.publish(20..<25)
        #expect(await TestEnvironment.eventually(timeout: .seconds(20)) { agent.log(after: offset).contains("refused our credentials") })
        let statusDuringFailure = try status(agent, json: false)
        let jsonDuringFailure = try status(agent, json: true)

        // The floor broker refuses a wrong password.
        offset = agent.log.count
        try writeSecret(wrongFloorPassword, passwordFile, mode: 0o600)
        agent.signal(SIGHUP)
        #expect(await TestEnvironment.eventually(timeout: .seconds(20)) { agent.log(after: offset).contains("not authorised") })

        // Fixed: everything arrives.
        try writeSecret(floorPassword, passwordFile, mode: 0o600)
        try writeSecret(token, tokenFile, mode: 0o600)
        agent.signal(SIGHUP)
        try await devices.publish(25..<30)
        #expect(await receiver.waitForEvents(30) == 30, "not delivered after the fix: \(agent.log)")
        let statusAfter = try status(agent, json: true)
        #expect(await agent.terminate() == 0)

        // Everything the agent wrote, printed or published.
        #expect(centre.log.contains("waystation/test-gw/status"), "no heartbeat seen: \(centre.log)")
        await centre.stop()
        var outputs: [(String, Data)] = [
            ("heartbeats and config/reported", Data(centre.log.utf8)),
            ("status", Data(statusDuringFailure.utf8)), ("status --json", Data(jsonDuringFailure.utf8)),
            ("status --json after", Data(statusAfter.utf8)),
        ]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasPrefix("agent-") {
            outputs.append((name, try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))))
        }
        for case let name as String in FileManager.default.enumerator(atPath: agent.stateDirectory)! {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: agent.stateDirectory + "/" + name, isDirectory: &isDirectory), !isDirectory.boolValue
            else { continue }
            outputs.append(("state/" + name, try Data(contentsOf: URL(fileURLWithPath: agent.stateDirectory + "/" + name))))
        }
        #expect(outputs.contains { $0.0 == "state/outbox.sqlite" })
        for (name, bytes) in outputs {
            for secret in secrets {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(name) contains the secret '\(secret)'")
            }
        }
        await receiver.stop()
        await broker.stop()
    }

    private func status(_ agent: AgentProcess, json: Bool) throws -> String {
        try TestEnvironment.run(TestEnvironment.binary, ["status", "--state-dir", agent.stateDirectory] + (json ? ["--json"] : [])).output
    }
}
