import Fleet
import Testing
import WaystationCore

@Suite("Fleet: what a pushed config may change, and probation")
struct RemoteConfigRulesTests {
    static let keyA = FleetSigner.make()
    static let keyB = FleetSigner.make()

    static func config(_ body: String, control: String? = nil) throws -> AgentConfig {
        let text = """
            gateway: { id: gw-1 }
            state: { dir: /var/lib/waystation }
            upstream: { url: "http://127.0.0.1:9/v1/events" }
            \(body)
            \(control ?? "")
            """
        return try AgentConfigParser(file: "test.yaml", baseDirectory: "/").parse(text, profiles: { _ in .failure(.init("none")) })
    }

    static func control(keys: [FleetSigner], url: String = "mqtt://central:1883", probation: String = "5s") -> String {
        "control: { url: \"\(url)\", trustedKeys: [\(keys.map { "\"\($0.publicKey)\"" }.joined(separator: ", "))], probation: \(probation) }"
    }

    let running = try! config("", control: control(keys: [keyA]))
    var signer: AgentConfig.TrustedKey { AgentConfig.TrustedKey(Self.keyA.publicKey)! }

    private func check(_ pushedText: String, signer: AgentConfig.TrustedKey? = nil) throws -> Result<AgentConfig, FleetError> {
        let pushed = try AgentConfigParser(file: "pushed", baseDirectory: "/").parse(pushedText, profiles: { _ in .failure(.init("none")) })
        return RemoteConfigRules.effective(pushed: pushed, text: pushedText, running: running, signer: signer ?? self.signer)
    }

    @Test("state and control left out are taken from the running config")
    func inherits() throws {
        let effective = try check("gateway: { id: gw-1, site: NEW }\nupstream: { url: \"http://other:1/v1\" }\n").get()
        #expect(effective.state == running.state)
        #expect(effective.control == running.control)
        #expect(effective.upstream.url == "http://other:1/v1")
        #expect(effective.gateway.site == "NEW")
    }

    @Test("gateway id, state dir and the control connection are refused, each with its own reason")
    func refused() throws {
        let base = "upstream: { url: \"http://other:1/v1\" }\n"
        #expect(error(try check("gateway: { id: gw-2 }\n" + base))?.contains("may not change the gateway id (this gateway is 'gw-1', the config names 'gw-2')") == true)
        #expect(error(try check("gateway: { id: gw-1 }\nstate: { dir: /tmp/elsewhere }\n" + base))?.contains("state.dir: a pushed config may not change the state directory") == true)
        #expect(error(try check("gateway: { id: gw-1 }\nstate: { dir: /var/lib/waystation, durability: process }\n" + base))?.contains("come from the local file only") == true)
        let otherBroker = Self.control(keys: [Self.keyA], url: "mqtt://evil:1883")
        #expect(error(try check("gateway: { id: gw-1 }\n" + base + otherBroker + "\n"))?.contains("control: the control connection") == true)
    }

    @Test("Keys rotate only in a config signed by a key that stays trusted")
    func rotation() throws {
        let base = "gateway: { id: gw-1 }\nupstream: { url: \"http://other:1/v1\" }\n"
        // Step 1: signed by A, trust A and B. Allowed.
        let both = base + Self.control(keys: [Self.keyA, Self.keyB]) + "\n"
        #expect(try check(both).get().control?.trustedKeys.count == 2)
        // Signed by A, trust only B: A would lock itself out on a typo. Refused.
        let onlyB = base + Self.control(keys: [Self.keyB]) + "\n"
        #expect(error(try check(onlyB))?.contains("signed by a key that stays trusted") == true)
        // Step 2 on a gateway that trusts A and B: signed by B, trust only B. Allowed.
        let pushed = try AgentConfigParser(file: "pushed", baseDirectory: "/").parse(onlyB, profiles: { _ in .failure(.init("none")) })
        let rotated = try Self.config("", control: Self.control(keys: [Self.keyA, Self.keyB]))
        let result = RemoteConfigRules.effective(
            pushed: pushed, text: onlyB, running: rotated, signer: AgentConfig.TrustedKey(Self.keyB.publicKey))
        #expect(try result.get().control?.trustedKeys == [AgentConfig.TrustedKey(Self.keyB.publicKey)!])
        // heartbeat and probation may change with the same keys.
        let slower = base + Self.control(keys: [Self.keyA], probation: "30s") + "\n"
        #expect(try check(slower).get().control?.probation == .seconds(30))
    }

    @Test("control: trustedKeys are required and must be ed25519 keys")
    func parsing() {
        #expect(throws: ConfigIssues.self) { try Self.config("control: { url: \"mqtt://c:1883\" }") }
        do {
            _ = try Self.config("control: { url: \"mqtt://c:1883\", trustedKeys: [\"rsa:abc\"] }")
            Issue.record("accepted a bad key")
        } catch {
            #expect("\(error)".contains("control.trustedKeys: 'rsa:abc' is not ed25519:BASE64 of a 32-byte public key"))
        }
        #expect(running.control?.topicPrefix == "waystation/gw-1")
        #expect(running.control?.clientId == "waystation-gw-1-control")
        #expect(running.control?.heartbeat == .seconds(30))
    }

    private func error(_ result: Result<AgentConfig, FleetError>) -> String? {
        if case .failure(let error) = result { return error.message }
        return nil
    }
}

@Suite("Fleet: probation verdicts")
struct ProbationTests {
    static func health(delivered: Int = 0, failures: Int = 0, error: String? = nil, floor: Bool = true, oldest: Double? = nil) -> FleetHealth {
        FleetHealth(
            lanes: ["critical": .init(deliveredBatches: delivered, failures: failures, lastError: error, authFailed: false, lastDeliveryMillis: nil)],
            floorConnected: floor, modbus: [:], oldestUndeliveredSeconds: oldest)
    }

    let probation = Probation(before: health(delivered: 10), config: RemoteConfigRulesTests.running(), duration: .seconds(5))

    @Test("Passes early on deliveries and a connected floor; undecided while quiet; passes quiet at the end")
    func passes() {
        #expect(probation.verdict(Self.health(delivered: 12), timeUp: false) == .passed)
        #expect(probation.verdict(Self.health(delivered: 10), timeUp: false) == .undecided)
        #expect(probation.verdict(Self.health(delivered: 10), timeUp: true) == .passed)
    }

    @Test("Fails at the end when the new upstream keeps failing, the queue is stuck, or the floor is lost")
    func fails() {
        let failing = Self.health(delivered: 10, failures: 3, error: "connection refused")
        #expect(probation.verdict(failing, timeUp: false) == .undecided)
        guard case .failed(let reasons) = probation.verdict(failing, timeUp: true) else { Issue.record("did not fail"); return }
        #expect(reasons.first?.contains("not reachable within the 5s probation (critical lane: connection refused)") == true)
        #expect(probation.verdict(Self.health(delivered: 11, oldest: 3), timeUp: true) != .passed)
        #expect(probation.verdict(Self.health(delivered: 11, oldest: 1), timeUp: true) == .passed)
        guard case .failed(let floor) = probation.verdict(Self.health(delivered: 12, floor: false), timeUp: true) else {
            Issue.record("floor loss not caught")
            return
        }
        #expect(floor.first?.contains("floor broker") == true)
    }

    @Test("An upstream that was already failing is not the new config's fault")
    func alreadyFailing() {
        let before = Self.health(delivered: 10, failures: 1, error: "HTTP 503")
        let probation = Probation(before: before, config: RemoteConfigRulesTests.running(), duration: .seconds(5))
        #expect(probation.verdict(Self.health(delivered: 10, failures: 5, error: "HTTP 503"), timeUp: true) == .passed)
    }
}

extension RemoteConfigRulesTests {
    static func running() -> AgentConfig { try! config("", control: control(keys: [keyA])) }
}

extension FleetSigner {
    static func make() -> FleetSigner { try! FleetSigner(privateKeyText: FleetKeys.generate().privateKey) }
}
