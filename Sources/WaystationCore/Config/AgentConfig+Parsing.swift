/// Turns a config file into an `AgentConfig`, or into every problem it has, with positions.
public struct AgentConfigParser {
    /// Looks up device profiles by name; returns the profile or a reason it cannot be used.
    public typealias ProfileLookup = (String) -> Result<DeviceProfile, ProfileLookupFailure>

    public struct ProfileLookupFailure: Error, Sendable {
        public var message: String
        public init(_ message: String) { self.message = message }
    }

    public static let defaultProfileDirectories = ["/usr/share/waystation/devices", "/etc/waystation/devices"]

    public let file: String
    /// Directory that relative paths in the file are resolved against (the config file's own).
    public let baseDirectory: String

    public init(file: String, baseDirectory: String) {
        self.file = file
        self.baseDirectory = baseDirectory
    }

    /// Profile directories named by the config (before devices can be bound), resolved; defaults if absent.
    public func profileDirectories(in text: String) -> [String] {
        guard let root = try? YAMLNode.parse(text, file: file) else { return Self.defaultProfileDirectories }
        let (reader, _) = FieldReader.root(root, file: file)
        return reader.stringList("profiles").map { $0.map(resolve) } ?? Self.defaultProfileDirectories
    }

    public func parse(_ text: String, profiles: ProfileLookup) throws(ConfigIssues) -> AgentConfig {
        let root: YAMLNode
        do {
            root = try YAMLNode.parse(text, file: file)
        } catch {
            throw ConfigIssues([error])
        }
        let (reader, sink) = FieldReader.root(root, file: file)
        if case .null = root.value {
            reader.report(root, nil, "the file is empty; expected at least gateway and upstream")
        }
        let gateway = parseGateway(reader)
        let state = parseState(reader)
        let floor = parseFloor(reader, gatewayID: gateway?.id ?? "gateway")
        let (devices, modbusDevices) = parseDevices(reader, profiles: profiles)
        let upstream = parseUpstream(reader)
        let profileDirectories = reader.stringList("profiles").map { $0.map(resolve) } ?? Self.defaultProfileDirectories
        let log = parseLog(reader)
        let metrics = parseMetrics(reader)
        let control = parseControl(reader, gatewayID: gateway?.id ?? "gateway")
        reader.finish()
        let issues = sink.sorted
        guard issues.isEmpty, let gateway, let state, let floor, let upstream, let log else {
            throw ConfigIssues(issues)
        }
        var config = AgentConfig(
            gateway: gateway, state: state, floor: floor, devices: devices, modbusDevices: modbusDevices, upstream: upstream,
            profileDirectories: profileDirectories, log: log, metrics: metrics)
        config.control = control
        return config
    }

    func resolve(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var base = baseDirectory
        if base.hasSuffix("/") { base.removeLast() }
        var parts = base.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        for part in path.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(String(part))
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    private func parseGateway(_ root: FieldReader) -> AgentConfig.Gateway? {
        guard let reader = root.nested("gateway") else {
            root.report(nil, "gateway", "is required (gateway.id names this gateway)")
            return nil
        }
        defer { reader.finish() }
        let id = reader.string("id", required: true)
        let site = reader.string("site")
        guard let id else { return nil }
        guard GatewayID.isValid(id) else {
            reader.report(reader.node("id"), "id", "'\(id)' must match [a-z0-9][a-z0-9-]{0,63}")
            return nil
        }
        return AgentConfig.Gateway(id: id, site: site)
    }

    private func parseState(_ root: FieldReader) -> AgentConfig.StateSettings? {
        let reader = root.nested("state")
        defer { reader?.finish() }
        return AgentConfig.StateSettings(
            directory: resolve(reader?.string("dir") ?? "/var/lib/waystation"),
            maxBytes: reader?.size("maxBytes", minimum: 1 << 20) ?? 2 << 30,
            minFreeBytes: reader?.size("minFree") ?? 64 << 20,
            durability: reader?.choice("durability", as: AgentConfig.Durability.self) ?? .power)
    }

    func parseTLS(_ parent: FieldReader) -> AgentConfig.TLSFiles? {
        guard let reader = parent.nested("tls") else { return nil }
        defer { reader.finish() }
        return AgentConfig.TLSFiles(
            caFile: reader.string("caFile").map(resolve), certFile: reader.string("certFile").map(resolve),
            keyFile: reader.string("keyFile").map(resolve))
    }

    private func parseFloor(_ root: FieldReader, gatewayID: String) -> AgentConfig.FloorBroker? {
        let reader = root.nested("floor")
        defer { reader?.finish() }
        let urlText = reader?.string("url") ?? "mqtt://127.0.0.1:1883"
        let url = BrokerURL(urlText)
        if url == nil {
            root.report(reader?.node("url"), "floor.url", "'\(urlText)' is not an MQTT URL (mqtt://host:port or mqtts://host:port)")
        }
        let floor = AgentConfig.FloorBroker(
            url: url ?? BrokerURL("mqtt://127.0.0.1:1883")!,
            username: reader?.string("username"),
            passwordFile: reader?.string("passwordFile").map(resolve),
            tls: reader.flatMap(parseTLS),
            sessions: reader?.int("sessions", range: 1...16) ?? 1,
            clientId: reader?.string("clientId") ?? "waystation-\(gatewayID)",
            keepAlive: reader?.duration("keepAlive", minimum: .seconds(5)) ?? .seconds(30))
        return url == nil ? nil : floor
    }

    private func parseDevices(_ root: FieldReader, profiles: ProfileLookup) -> ([DeviceBinding], [ModbusDeviceBinding]) {
        guard let items = root.list("devices") else { return ([], []) }
        var seen: [String: Int] = [:]
        var devices: [DeviceBinding] = []
        var modbusDevices: [(device: ModbusDeviceBinding, reader: FieldReader)] = []
        for reader in items {
            defer { reader.finish() }
            let id = reader.string("id", required: true)
            let profileName = reader.string("profile", required: true)
            let topic = reader.string("topic")
            let setEntries = reader.stringMapEntries("set") ?? []
            let set = setEntries.map { ($0.key, $0.value) }
            let modbusFields = readModbusFields(reader)
            guard let id, let profileName else { continue }
            guard GatewayID.isValid(id) else {
                reader.report(reader.node("id"), "id", "'\(id)' must match [a-z0-9][a-z0-9-]{0,63}")
                continue
            }
            if let line = seen[id] {
                reader.report(reader.node("id"), "id", "duplicate device id '\(id)' (first defined on line \(line))")
                continue
            }
            seen[id] = reader.node.line
            let profile: DeviceProfile
            switch profiles(profileName) {
            case .success(let found): profile = found
            case .failure(let failure):
                reader.report(reader.node("profile"), "profile", failure.message)
                continue
            }
            if let modbus = profile.modbus {
                if let device = bindModbusDevice(
                    reader, id: id, profileName: profileName, profile: modbus, fields: modbusFields, set: set)
                {
                    modbusDevices.append((device, reader))
                }
                continue
            }
            for key in ModbusDeviceBinding.modbusKeys where reader.has(key) {
                reader.report(reader.node(key), key, "has no meaning for an MQTT device (profile \(profileName)); only Modbus devices are polled")
            }
            guard let topic else {
                reader.report(nil, "topic", "is required for an MQTT device (profile \(profileName))")
                continue
            }
            if let problem = TopicFilter.problem(topic) {
                reader.report(reader.node("topic"), "topic", problem)
                continue
            }
            let allowedSet = ["location", "mode", "uom"]
            for entry in setEntries where !allowedSet.contains(entry.key) {
                let hint = Suggestion.closest(to: entry.key, in: allowedSet).map { " (did you mean '\($0)'?)" } ?? ""
                reader.report(entry.keyNode, "set.\(entry.key)", "unknown key\(hint); allowed: \(allowedSet.joined(separator: ", "))")
            }
            devices.append(
                DeviceBinding(
                    id: id, profileName: profileName, profile: profile, topic: topic,
                    set: Dictionary(set, uniquingKeysWith: { _, last in last })))
        }
        return (devices, checkModbusBuses(modbusDevices))
    }

    private func parseUpstream(_ root: FieldReader) -> AgentConfig.Upstream? {
        guard let reader = root.nested("upstream") else {
            root.report(nil, "upstream", "is required (upstream.url is where events are delivered)")
            return nil
        }
        defer { reader.finish() }
        let url = reader.string("url", required: true)
        let topic = reader.string("topic")
        var urlValid = url != nil
        if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            if BrokerURL(url) == nil {
                reader.report(reader.node("url"), "url", "'\(url)' is not an http(s):// URL or an mqtt(s)://host:port broker")
                urlValid = false
            } else if topic == nil {
                reader.report(nil, "topic", "is required for an MQTT upstream (the topic batches are published to)")
            } else if let topic, topic.contains("+") || topic.contains("#") || topic.isEmpty {
                reader.report(reader.node("topic"), "topic", "must be a topic name without wildcards")
            }
        } else if topic != nil {
            reader.report(reader.node("topic"), "topic", "only applies to an MQTT upstream (mqtt:// or mqtts://)")
        }
        let batchReader = reader.nested("batch")
        let batch = AgentConfig.Batch(
            maxEvents: batchReader?.int("maxEvents", range: 1...10_000) ?? 500,
            maxBytes: batchReader?.size("maxBytes", minimum: 4 << 10) ?? 512 << 10,
            linger: batchReader?.duration("linger") ?? .milliseconds(100))
        batchReader?.finish()
        let retryReader = reader.nested("retry")
        let retry = AgentConfig.Retry(
            initial: retryReader?.duration("initial", minimum: .milliseconds(10)) ?? .milliseconds(500),
            max: retryReader?.duration("max", minimum: .milliseconds(100)) ?? .seconds(60))
        retryReader?.finish()
        let upstream = AgentConfig.Upstream(
            url: url ?? "", topic: topic, username: reader.string("username"),
            passwordFile: reader.string("passwordFile").map(resolve),
            tokenFile: reader.string("tokenFile").map(resolve), tls: parseTLS(reader), batch: batch,
            timeout: reader.duration("timeout", minimum: .milliseconds(100)) ?? .seconds(10), retry: retry)
        if retry.max < retry.initial {
            reader.report(retryReader?.node("max"), "retry.max", "must not be below retry.initial")
        }
        return urlValid ? upstream : nil
    }

    private func parseMetrics(_ root: FieldReader) -> AgentConfig.MetricsSettings {
        let reader = root.nested("metrics")
        defer { reader?.finish() }
        guard let listen = reader?.string("listen") else { return AgentConfig.MetricsSettings(listen: .init(host: "127.0.0.1", port: 9464)) }
        if listen == "off" { return AgentConfig.MetricsSettings(listen: nil) }
        guard let address = ListenAddress(listen) else {
            reader?.report(reader?.node("listen"), "listen", "'\(listen)' is not HOST:PORT (e.g. 127.0.0.1:9464) or off")
            return AgentConfig.MetricsSettings(listen: nil)
        }
        return AgentConfig.MetricsSettings(listen: address)
    }

    private func parseLog(_ root: FieldReader) -> AgentConfig.LogSettings? {
        let reader = root.nested("log")
        defer { reader?.finish() }
        return AgentConfig.LogSettings(
            level: reader?.choice("level", as: AgentConfig.LogLevel.self) ?? .info,
            format: reader?.choice("format", as: AgentConfig.LogFormat.self) ?? .json)
    }
}

/// Identifiers used in topics and events: gateway and device ids.
public enum GatewayID {
    public static func isValid(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard let first = bytes.first, bytes.count <= 64, isAlphanumeric(first) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

/// MQTT topic filters (MQTT 3.1.1 section 4.7).
public enum TopicFilter {
    /// Why `filter` is not a valid subscription filter, or `nil`.
    public static func problem(_ filter: String) -> String? {
        if filter.isEmpty { return "must not be empty" }
        if filter.utf8.count > 65535 { return "is too long" }
        if filter.hasPrefix("$") { return "must not start with '$' (broker-reserved topics)" }
        let levels = filter.split(separator: "/", omittingEmptySubsequences: false)
        for (index, level) in levels.enumerated() {
            if level.contains("#") && (level != "#" || index != levels.count - 1) {
                return "'#' must be a whole level and the last one"
            }
            if level.contains("+") && level != "+" { return "'+' must be a whole level" }
        }
        return nil
    }

    /// Whether `topic` matches `filter`.
    public static func matches(_ topic: String, filter: String) -> Bool {
        // MQTT 3.1.1 4.7.2: a filter starting with a wildcard does not match topics starting with '$'.
        if topic.hasPrefix("$") && (filter.hasPrefix("+") || filter.hasPrefix("#")) { return false }
        let topicLevels = topic.split(separator: "/", omittingEmptySubsequences: false)
        let filterLevels = filter.split(separator: "/", omittingEmptySubsequences: false)
        for (index, level) in filterLevels.enumerated() {
            if level == "#" { return true }
            guard index < topicLevels.count else { return false }
            if level != "+" && level != topicLevels[index] { return false }
        }
        return topicLevels.count == filterLevels.count
    }
}
