import Foundation
import Testing

@testable import Agent
@testable import WaystationCore

/// Config validation behaviour that is wrong today. Each test asserts the correct behaviour and is disabled
/// with the reason; remove `.disabled` once the bug is fixed.
@Suite("Core: config validation known bugs")
struct CoreConfigKnownBugTests {
    @Test
    func badUpstreamURLDoesNotHideOtherSettings() {
        let path = CoreTestPaths.fixture("bug-upstream-bad-url-hides-settings.yaml")
        let issues = CoreConfigCorpus.issues(at: path)
        // Only the URL is wrong; batch, timeout and retry are known keys with valid values.
        #expect(issues.map(\.path) == ["upstream.url"])
        #expect(issues.first?.line == 4)
        #expect(issues.first?.column == 8)
    }

    @Test
    func retryMaxIsReportedAtMax() throws {
        let path = CoreTestPaths.fixture("bug-retry-max-block.yaml")
        let issue = try #require(CoreConfigCorpus.issues(at: path).first)
        #expect(issue.path == "upstream.retry.max")
        #expect(issue.message == "must not be below retry.initial")
        #expect(issue.line == 7)
    }

    @Test
    func unknownSetKeyIsReportedAtTheKey() throws {
        let path = CoreTestPaths.fixture("bug-set-unknown-key-block.yaml")
        let issues = CoreConfigCorpus.issues(at: path)
        #expect(issues.map(\.description) == [
            "\(path):9:7: devices[0].set.mdoe: unknown key (did you mean 'mode'?); allowed: location, mode, uom"
        ])
    }

    @Test
    func duplicateSectionIsOneLineAtTheKey() throws {
        let path = CoreTestPaths.fixture("bug-duplicate-section.yaml")
        let issues = CoreConfigCorpus.issues(at: path)
        let issue = try #require(issues.first)
        #expect(issues.count == 1)
        #expect(!issue.description.contains("\n"), "one line a problem")
        #expect([3, 9].contains(issue.line), "points at a 'devices:' key, not 1:1")
        #expect(issue.column == 1)
        #expect(issue.message.contains("devices"))
        #expect(issue.message.lowercased().contains("duplicate"))
    }

    /// Runs the real binary, so the crash cannot take the test runner down with it.
    @Test
    func hugeDurationIsAProblemNotACrash() throws {
        let path = CoreTestPaths.fixture("bug-duration-overflow.yaml")
        let result = try CoreBinary.run(["config", "validate", path])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("\(path):5:12: upstream.timeout: ") == true)
    }
}
