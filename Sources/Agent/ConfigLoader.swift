import Foundation
public import WaystationCore

/// Reads a config file and the device profiles it names from disk, and the secrets it points at.
public struct ConfigLoader: Sendable {
    /// A loaded config, or every problem found in it and in the profiles it uses.
    public struct Loaded: Sendable {
        public var config: AgentConfig
        public var secrets: Secrets
        /// Secret files that others can read (README "Security"); the agent logs these at start and reload.
        public var warnings: [String] = []
    }

    public struct Secrets: Sendable, Equatable {
        public var floorPassword: String?
        public var upstreamToken: String?
        /// MQTT upstream only.
        public var upstreamPassword: String?
        /// The control connection (fleet), if it needs one.
        public var controlPassword: String? = nil
    }

    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Parses and validates, without reading secrets (what `waystation config validate` does).
    public func validate() throws(ConfigIssues) -> AgentConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigIssues([ConfigIssue(file: path, line: 1, column: 1, path: "", message: "cannot read file: \(Self.reason(error))")])
        }
        return try validate(text: text, label: path)
    }

    /// Validates config text that did not come from `path` (a pushed config) exactly as `validate()` does;
    /// issues name `label`, and relative paths resolve against the directory of `path`.
    public func validate(text: String, label: String) throws(ConfigIssues) -> AgentConfig {
        let parser = AgentConfigParser(file: label, baseDirectory: (absolute(path) as NSString).deletingLastPathComponent)
        let profiles = ProfileCatalog(directories: parser.profileDirectories(in: text))
        do {
            return try parser.parse(text, profiles: profiles.lookup)
        } catch {
            // Problems inside profile files are reported with their own file and line too.
            throw ConfigIssues(error.issues + profiles.issues)
        }
    }

    /// Validates and reads the secret files (or `WAYSTATION_FLOOR_PASSWORD` / `WAYSTATION_UPSTREAM_TOKEN`).
    public func load() throws -> Loaded {
        try Self.load(try validate())
    }

    /// Reads the secrets a validated config points at.
    public static func load(_ config: AgentConfig) throws -> Loaded {
        let environment = ProcessInfo.processInfo.environment
        var loaded = Loaded(
            config: config,
            secrets: Secrets(
                floorPassword: try config.floor.passwordFile.map { try Self.readSecret($0, field: "floor.passwordFile") }
                    ?? environment["WAYSTATION_FLOOR_PASSWORD"],
                upstreamToken: try config.upstream.tokenFile.map { try Self.readSecret($0, field: "upstream.tokenFile") }
                    ?? environment["WAYSTATION_UPSTREAM_TOKEN"],
                upstreamPassword: try config.upstream.passwordFile.map { try Self.readSecret($0, field: "upstream.passwordFile") }
                    ?? environment["WAYSTATION_UPSTREAM_PASSWORD"]))
        if let control = config.control {
            loaded.secrets.controlPassword =
                try control.passwordFile.map { try Self.readSecret($0, field: "control.passwordFile") } ?? environment["WAYSTATION_CONTROL_PASSWORD"]
        }
        loaded.warnings = secretFileWarnings([
            ("floor.passwordFile", config.floor.passwordFile), ("floor.tls.keyFile", config.floor.tls?.keyFile),
            ("upstream.tokenFile", config.upstream.tokenFile), ("upstream.passwordFile", config.upstream.passwordFile),
            ("upstream.tls.keyFile", config.upstream.tls?.keyFile), ("control.passwordFile", config.control?.passwordFile),
            ("control.tls.keyFile", config.control?.tls?.keyFile),
        ])
        return loaded
    }

    static func readSecret(_ file: String, field: String) throws -> String {
        do {
            let text = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { throw ConfigIssue(file: file, line: 1, column: 1, path: field, message: "secret file is empty") }
            return text
        } catch let issue as ConfigIssue {
            throw ConfigIssues([issue])
        } catch {
            throw ConfigIssues([ConfigIssue(file: file, line: 1, column: 1, path: field, message: "cannot read secret: \(reason(error))")])
        }
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSCocoaErrorDomain && nsError.code == NSFileReadNoSuchFileError { return "no such file" }
        return nsError.localizedDescription
    }
}

/// Device profiles found in the profile directories; a later directory wins over an earlier one.
final class ProfileCatalog: @unchecked Sendable {
    // @unchecked: used by one config parse on one thread; not shared.
    let directories: [String]
    private(set) var issues: [ConfigIssue] = []
    private var cache: [String: Result<DeviceProfile, AgentConfigParser.ProfileLookupFailure>] = [:]

    init(directories: [String]) { self.directories = directories }

    var lookup: AgentConfigParser.ProfileLookup { { [self] name in resolve(name) } }

    private func resolve(_ name: String) -> Result<DeviceProfile, AgentConfigParser.ProfileLookupFailure> {
        if let cached = cache[name] { return cached }
        let result = load(name)
        cache[name] = result
        return result
    }

    private func load(_ name: String) -> Result<DeviceProfile, AgentConfigParser.ProfileLookupFailure> {
        guard GatewayID.isValid(name) else {
            return .failure(.init("'\(name)' is not a profile name ([a-z0-9-], the file name without .yaml)"))
        }
        for directory in directories.reversed() {
            let file = directory + "/" + name + ".yaml"
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            do {
                return .success(try DeviceProfile.parse(text, name: name, file: file))
            } catch {
                issues += error.issues
                return .failure(.init("profile '\(name)' (\(file)) is invalid"))
            }
        }
        let available = Set(directories.flatMap { directory in
            ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
                .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }
        }).sorted()
        let hint = Suggestion.closest(to: name, in: available).map { " (did you mean '\($0)'?)" } ?? ""
        return .failure(.init("no profile '\(name)' in \(directories.joined(separator: ", "))\(hint)"))
    }
}
