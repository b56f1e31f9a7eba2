import Foundation
import Testing

/// Runs the built `waystation` binary and captures what it prints.
enum CoreBinary {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String]) throws -> Result {
        let binary = CoreTestPaths.binary
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: binary.path])
        }
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("waystation-core-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Result(
            status: process.terminationStatus,
            stdout: try String(contentsOf: outURL, encoding: .utf8),
            stderr: try String(contentsOf: errURL, encoding: .utf8))
    }
}

@Suite("Core: waystation config validate (real binary)")
struct CoreValidateCommandTests {
    @Test("a broken config: exit 1, every FILE:LINE:COL line on stderr, nothing on stdout")
    func brokenConfigExitsOne() throws {
        let testCase = try #require(CoreConfigCorpus.cases.first { $0.fixture == "multi-problem.yaml" })
        let result = try CoreBinary.run(["config", "validate", testCase.path])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        #expect(lines == testCase.expandedLines())
    }

    @Test("a broken device profile is named with its own FILE:LINE:COL on stderr")
    func brokenProfileOnStderr() throws {
        let testCase = try #require(CoreConfigCorpus.cases.first { $0.fixture == "broken-profile.yaml" })
        let result = try CoreBinary.run(["config", "validate", testCase.path])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        #expect(lines == testCase.expandedLines())
    }

    @Test("a good config: exit 0, nothing on stderr", arguments: ["demo.yaml", "waystation.yaml"])
    func goodConfigExitsZero(_ name: String) throws {
        let path = CoreTestPaths.configs.appendingPathComponent(name).path
        let result = try CoreBinary.run(["config", "validate", path])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect(result.stdout.hasPrefix("\(path): ok"))
    }
}
