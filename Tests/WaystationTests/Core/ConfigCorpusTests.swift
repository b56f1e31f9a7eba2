import Foundation
import Testing

@testable import Agent
@testable import WaystationCore

/// One broken config fixture and every `FILE:LINE:COL: path: message` line `config validate` must print for it.
///
/// Placeholders: `{F}` the fixture's own path, `{DIR}` the fixtures directory, `{DEVICES}` the shipped profiles
/// directory. A column written as `*` is not checked (see the disabled position tests in ConfigKnownBugTests).
struct CoreConfigCase: Sendable, CustomTestStringConvertible {
    let fixture: String
    let expected: [String]

    init(_ fixture: String, _ expected: [String]) {
        self.fixture = fixture
        self.expected = expected
    }

    var testDescription: String { fixture }

    var path: String { CoreTestPaths.fixture(fixture) }

    func expandedLines() -> [String] {
        expected.map {
            $0.replacingOccurrences(of: "{F}", with: path)
                .replacingOccurrences(of: "{DIR}", with: CoreTestPaths.configFixtures.path)
                .replacingOccurrences(of: "{DEVICES}", with: CoreTestPaths.devices.path)
        }
    }
}

enum CoreConfigCorpus {
    static let cases: [CoreConfigCase] = [
        CoreConfigCase("typo-upstream-key.yaml", [
            "{F}:2:1: upstream: is required (upstream.url is where events are delivered)",
            "{F}:4:1: upstrem: unknown key (did you mean 'upstream'?)",
        ]),
        CoreConfigCase("typo-max-events.yaml", [
            "{F}:5:12: upstream.batch.maxEvent: unknown key (did you mean 'maxEvents'?)"
        ]),
        CoreConfigCase("duration-without-unit.yaml", [
            "{F}:7:13: upstream.batch.linger: '100' is not a duration (examples: 250ms, 10s, 5m)"
        ]),
        CoreConfigCase("duration-in-words.yaml", [
            "{F}:5:12: upstream.timeout: '10 seconds' is not a duration (examples: 250ms, 10s, 5m)"
        ]),
        CoreConfigCase("size-not-a-size.yaml", [
            "{F}:5:13: state.maxBytes: 'lots' is not a size (examples: 512KiB, 2GiB)"
        ]),
        CoreConfigCase("state-size-below-minimum.yaml", [
            "{F}:4:13: state.maxBytes: 512KiB is below the minimum of 1MiB"
        ]),
        CoreConfigCase("gateway-id-uppercase.yaml", [
            "{F}:2:7: gateway.id: 'DC_East_01' must match [a-z0-9][a-z0-9-]{0,63}"
        ]),
        CoreConfigCase("device-id-underscore.yaml", [
            "{F}:4:9: devices[0].id: 'Dock3_Scanner' must match [a-z0-9][a-z0-9-]{0,63}"
        ]),
        CoreConfigCase("missing-gateway.yaml", [
            "{F}:1:1: gateway: is required (gateway.id names this gateway)"
        ]),
        CoreConfigCase("missing-upstream.yaml", [
            "{F}:1:1: upstream: is required (upstream.url is where events are delivered)"
        ]),
        CoreConfigCase("upstream-url-inline.yaml", [
            "{F}:4:11: upstream: expected a mapping",
            "{F}:4:11: upstream.url: is required",
        ]),
        CoreConfigCase("upstream-ftp.yaml", [
            "{F}:4:8: upstream.url: 'ftp://sync.example.com/v1/events' is not an http(s):// URL or an mqtt(s)://host:port broker"
        ]),
        CoreConfigCase("upstream-mqtt.yaml", [
            "{F}:5:3: upstream.topic: is required for an MQTT upstream (the topic batches are published to)"
        ]),
        CoreConfigCase("upstream-mqtt-wildcard-topic.yaml", [
            "{F}:5:10: upstream.topic: must be a topic name without wildcards"
        ]),
        CoreConfigCase("upstream-topic-on-https.yaml", [
            "{F}:5:10: upstream.topic: only applies to an MQTT upstream (mqtt:// or mqtts://)"
        ]),
        CoreConfigCase("floor-http.yaml", [
            "{F}:4:8: floor.url: 'http://broker.local:1883' is not an MQTT URL (mqtt://host:port or mqtts://host:port)"
        ]),
        CoreConfigCase("durability-fast.yaml", [
            "{F}:4:15: state.durability: 'fast' is not one of power, process"
        ]),
        CoreConfigCase("log-level-typo.yaml", [
            "{F}:5:15: log.level: 'debg' is not one of trace, debug, info, notice, warning, error, critical (did you mean 'debug'?)"
        ]),
        CoreConfigCase("duplicate-device-id.yaml", [
            "{F}:7:9: devices[1].id: duplicate device id 'dock3-scanner' (first defined on line 4)"
        ]),
        CoreConfigCase("unknown-profile.yaml", [
            "{F}:5:14: devices[0].profile: no profile 'gs1-scaner' in {DEVICES} (did you mean 'gs1-scanner'?)"
        ]),
        CoreConfigCase("missing-topic.yaml", [
            "{F}:4:5: devices[0].topic: is required for an MQTT device (profile gs1-scanner)"
        ]),
        CoreConfigCase("topic-hash-in-middle.yaml", [
            "{F}:6:12: devices[0].topic: '#' must be a whole level and the last one"
        ]),
        CoreConfigCase("set-unknown-key.yaml", [
            "{F}:7:*: devices[0].set.mdoe: unknown key (did you mean 'mode'?); allowed: location, mode, uom"
        ]),
        CoreConfigCase("yaml-tab-indent.yaml", [
            "{F}:4:1: invalid YAML: found character that cannot start any token"
        ]),
        CoreConfigCase("yaml-unclosed-bracket.yaml", [
            "{F}:6:10: invalid YAML: did not find expected ',' or '}'"
        ]),
        CoreConfigCase("yaml-bad-indent.yaml", [
            "{F}:5:11: invalid YAML: mapping values are not allowed in this context"
        ]),
        CoreConfigCase("sessions-out-of-range.yaml", [
            "{F}:5:13: floor.sessions: 32 is out of range 1...16"
        ]),
        CoreConfigCase("retry-max-below-initial.yaml", [
            "{F}:5:*: upstream.retry.max: must not be below retry.initial"
        ]),
        CoreConfigCase("empty.yaml", [
            "{F}:1:1: the file is empty; expected at least gateway and upstream",
            "{F}:1:1: gateway: is required (gateway.id names this gateway)",
            "{F}:1:1: upstream: is required (upstream.url is where events are delivered)",
        ]),
        CoreConfigCase("control-section.yaml", [
            "{F}:6:3: control.trustedKeys: is required: the ed25519:BASE64 public keys that may sign config (waystation keygen makes one)"
        ]),
        CoreConfigCase("modbus-endpoint.yaml", [
            "{F}:9:15: devices[1].endpoint: 'udp://192.168.10.21:502' is not a Modbus endpoint (did you mean 'tcp://'?); use tcp://host:port or rtu:///dev/ttyUSB0?baud=9600&parity=N&data=8&stop=1",
            "{F}:10:11: devices[1].unit: 300 is out of range 1...247",
            "{F}:11:15: devices[1].interval: 5ms is below the minimum of 50ms",
        ]),
        CoreConfigCase("broken-profile.yaml", [
            "{F}:5:14: devices[0].profile: profile 'dock-scanner' ({DIR}/profiles-broken/dock-scanner.yaml) is invalid",
            "{DIR}/profiles-broken/dock-scanner.yaml:6:12: payload.barcode: 'barcode' is not a JSON pointer (it starts with '/', e.g. /barcode)",
            "{DIR}/profiles-broken/dock-scanner.yaml:8:3: payload.maxByte: unknown key (did you mean 'maxBytes'?)",
        ]),
        CoreConfigCase("multi-problem.yaml", multiProblem),
    ]

    /// Every problem of `multi-problem.yaml`, in line order.
    static let multiProblem = [
        "{F}:3:7: gateway.id: 'DC-East' must match [a-z0-9][a-z0-9-]{0,63}",
        "{F}:5:13: state.maxBytes: 'lots' is not a size (examples: 512KiB, 2GiB)",
        "{F}:6:15: state.durability: 'fast' is not one of power, process",
        "{F}:8:8: floor.url: 'http://127.0.0.1:1883' is not an MQTT URL (mqtt://host:port or mqtts://host:port)",
        "{F}:9:13: floor.sessions: 0 is out of range 1...16",
        "{F}:12:14: devices[0].profile: no profile 'gs1-scaner' in {DEVICES} (did you mean 'gs1-scanner'?)",
        "{F}:16:12: upstream.batch.maxEvent: unknown key (did you mean 'maxEvents'?)",
        "{F}:16:35: upstream.batch.linger: '100' is not a duration (examples: 250ms, 10s, 5m)",
        "{F}:17:12: upstream.timeout: '10 seconds' is not a duration (examples: 250ms, 10s, 5m)",
        "{F}:19:20: metrics.listen: 'nowhere' is not HOST:PORT (e.g. 127.0.0.1:9464) or off",
    ]

    /// Fixtures exercised by ConfigKnownBugTests instead of the table (they show bugs in Sources).
    static let knownBugFixtures: Set<String> = [
        "bug-upstream-bad-url-hides-settings.yaml", "bug-retry-max-block.yaml", "bug-set-unknown-key-block.yaml",
        "bug-duplicate-section.yaml", "bug-duration-overflow.yaml",
    ]

    /// The issues `waystation config validate` finds in `path`, or `[]` if it is valid.
    static func issues(at path: String) -> [ConfigIssue] {
        do {
            _ = try ConfigLoader(path: path).validate()
            return []
        } catch {
            return error.issues
        }
    }

    /// `issue.description`, with the column replaced by `*` when the expectation does not check it.
    static func rendered(_ issue: ConfigIssue, like expected: String) -> String {
        guard expected.contains(":*: ") else { return issue.description }
        let head = "\(issue.file):\(issue.line):*: "
        return head + (issue.path.isEmpty ? issue.message : "\(issue.path): \(issue.message)")
    }
}

@Suite("Core: config validation corpus")
struct CoreConfigCorpusTests {
    @Test("a broken config reports exactly its problems", arguments: CoreConfigCorpus.cases)
    func brokenConfig(_ testCase: CoreConfigCase) throws {
        let issues = CoreConfigCorpus.issues(at: testCase.path)
        let expected = testCase.expandedLines()
        try #require(!issues.isEmpty, "\(testCase.fixture) validated without problems")
        let actual = zip(issues, expected).map { CoreConfigCorpus.rendered($0, like: $1) }
            + issues.dropFirst(expected.count).map(\.description)
        #expect(actual == expected)
        for issue in issues {
            #expect(issue.line >= 1 && issue.column >= 1, "positions are 1-based: \(issue)")
            #expect(!issue.description.contains("\n"), "one line a problem: \(issue)")
        }
    }

    @Test("the corpus is large and every fixture file is exercised")
    func corpusCoversEveryFixture() throws {
        #expect(CoreConfigCorpus.cases.count >= 20)
        let files = try FileManager.default.contentsOfDirectory(atPath: CoreTestPaths.configFixtures.path)
            .filter { $0.hasSuffix(".yaml") }
        let covered = Set(CoreConfigCorpus.cases.map(\.fixture)).union(CoreConfigCorpus.knownBugFixtures)
        #expect(Set(files) == covered)
        #expect(Set(CoreConfigCorpus.cases.map(\.fixture)).count == CoreConfigCorpus.cases.count, "a fixture is listed twice")
    }

    @Test("a config with many problems reports all of them, sorted by line and column")
    func multiProblemReportsEverythingSorted() {
        let path = CoreTestPaths.fixture("multi-problem.yaml")
        let issues = CoreConfigCorpus.issues(at: path)
        #expect(issues.count == CoreConfigCorpus.multiProblem.count)
        let positions = issues.map { [$0.line, $0.column] }
        #expect(positions == positions.sorted { $0.lexicographicallyPrecedes($1) })
        // Problems from every section are there: one pass finds them all.
        let paths = Set(issues.map(\.path))
        for expected in ["gateway.id", "state.maxBytes", "state.durability", "floor.url", "floor.sessions",
                         "devices[0].profile", "upstream.batch.maxEvent", "upstream.batch.linger", "upstream.timeout",
                         "metrics.listen"] {
            #expect(paths.contains(expected), "missing a problem at \(expected)")
        }
    }

    @Test("profile problems are reported in the profile file with its own line and column")
    func brokenProfileNamesItsOwnFile() {
        let issues = CoreConfigCorpus.issues(at: CoreTestPaths.fixture("broken-profile.yaml"))
        let profileFile = CoreTestPaths.configFixtures.appendingPathComponent("profiles-broken/dock-scanner.yaml").path
        let inProfile = issues.filter { $0.file == profileFile }
        #expect(inProfile.map(\.line) == [6, 8])
        #expect(issues.contains { $0.file == CoreTestPaths.fixture("broken-profile.yaml") && $0.path == "devices[0].profile" })
    }

    @Test("a config file that does not exist is one problem at 1:1")
    func missingFile() {
        let path = CoreTestPaths.configFixtures.appendingPathComponent("does-not-exist.yaml").path
        let issues = CoreConfigCorpus.issues(at: path)
        #expect(issues.count == 1)
        #expect(issues.first?.file == path)
        #expect(issues.first?.line == 1)
        #expect(issues.first?.column == 1)
        #expect(issues.first?.message.hasPrefix("cannot read file:") == true)
    }
}
