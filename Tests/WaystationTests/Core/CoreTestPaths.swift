import WaystationCore
import Foundation

/// Paths of the checked-in files the Core tests read, found from this source file (no bundle resources).
enum CoreTestPaths {
    /// `Tests/WaystationTests/Core`.
    static let coreDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().standardizedFileURL

    /// The package root (`/work/main`): Core -> WaystationTests -> Tests -> root.
    static let packageRoot = coreDirectory.deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().standardizedFileURL

    /// `Tests/WaystationTests/Fixtures/configs`.
    static let configFixtures = coreDirectory.deletingLastPathComponent()
        .appendingPathComponent("Fixtures/configs", isDirectory: true).standardizedFileURL

    /// The shipped device profiles (`Devices/`).
    static let devices = packageRoot.appendingPathComponent("Devices", isDirectory: true).standardizedFileURL

    /// The shipped configs (`Config/`).
    static let configs = packageRoot.appendingPathComponent("Config", isDirectory: true).standardizedFileURL

    static func fixture(_ name: String) -> String { configFixtures.appendingPathComponent(name).path }

    /// The `waystation` binary next to the test bundle, else the debug build of the package.
    static var binary: URL {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("waystation")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        return packageRoot.appendingPathComponent(".build/debug/waystation")
    }

    static func read(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }
}

/// The shared seedable generator (WaystationCore.SplitMix64).
typealias CoreSplitMix64 = SplitMix64
