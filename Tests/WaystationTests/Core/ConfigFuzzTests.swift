import Testing

@testable import WaystationCore

/// Seeded fuzzing of the config parser: a mangled config yields a config or positioned problems, never a crash.
@Suite("Core: config parser fuzz")
struct CoreConfigFuzzTests {
    static let alphabet: [UInt8] = Array("abcdefgmnoprstuxyz:-_ {}[],#'\"\t\n/0123456789.KiBms".utf8)

    @Test("3,000 mutations of the demo config: parsed, or every problem has a position")
    func mutatedDemoConfig() throws {
        let demo = CoreTestPaths.configs.appendingPathComponent("demo.yaml")
        let text = Array(try CoreTestPaths.read(demo).utf8)
        let profiles = try ["gs1-scanner", "raw-scanner", "modbus-scale"].map { try CoreScanMappingTests.profile($0) }
        let lookup: AgentConfigParser.ProfileLookup = { name in
            if let profile = profiles.first(where: { $0.name == name }) { return .success(profile) }
            return .failure(.init("no profile '\(name)'"))
        }
        let parser = AgentConfigParser(file: demo.path, baseDirectory: CoreTestPaths.configs.path)
        var mutator = CoreMutator(rng: CoreSplitMix64(seed: 0xC0F1), alphabet: Self.alphabet)
        var valid = 0
        var invalid = 0
        for _ in 0..<3000 {
            let mutated = String(decoding: mutator.mutate(text, times: 1...4), as: UTF8.self)
            let lineCount = mutated.split(separator: "\n", omittingEmptySubsequences: false).count
            do {
                let config = try parser.parse(mutated, profiles: lookup)
                valid += 1
                #expect(GatewayID.isValid(config.gateway.id))
                let url = config.upstream.url
                #expect(url.hasPrefix("http://") || url.hasPrefix("https://") || BrokerURL(url) != nil)
            } catch {
                invalid += 1
                #expect(!error.issues.isEmpty)
                for issue in error.issues {
                    #expect(issue.file == demo.path)
                    #expect((1...lineCount + 1).contains(issue.line) && issue.column >= 1, "\(issue)")
                }
            }
        }
        #expect(valid > 50)
        #expect(invalid > 50)
    }
}
