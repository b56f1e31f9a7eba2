import Foundation

extension AgentConfig {
    /// The control connection (DESIGN.md 3.7): where signed config and commands come from, and who may sign them.
    public struct Control: Sendable, Equatable {
        public var url: BrokerURL
        /// Topics are `<topicPrefix>/config/desired`, `…/config/reported`, `…/status`, `…/cmd/<name>`.
        public var topicPrefix: String
        /// Stable client id of the control session (persistent: commands sent while the agent is away wait).
        public var clientId: String
        public var username: String?
        public var passwordFile: String?
        public var tls: TLSFiles?
        /// A pushed config or command must be signed by one of these.
        public var trustedKeys: [TrustedKey]
        /// How often the retained `status` heartbeat is published.
        public var heartbeat: Duration
        /// How long a pushed config has to show it reaches its upstream and devices before it is kept.
        public var probation: Duration

        /// The settings of the connection itself — everything but the keys and the timings.
        public var connection: [String?] {
            [url.description, topicPrefix, clientId, username, passwordFile, tls?.caFile, tls?.certFile, tls?.keyFile]
        }
    }

    /// One trusted Ed25519 public key, as written (`ed25519:BASE64`) and as its 32 raw bytes.
    public struct TrustedKey: Sendable, Equatable, CustomStringConvertible {
        public static let prefix = "ed25519:"
        public var text: String
        public var publicKey: [UInt8]

        /// Parses `ed25519:BASE64` of 32 bytes; nil for anything else.
        public init?(_ text: String) {
            guard text.hasPrefix(Self.prefix), let data = Data(base64Encoded: String(text.dropFirst(Self.prefix.count))), data.count == 32 else {
                return nil
            }
            self.text = text
            self.publicKey = Array(data)
        }

        public var description: String { text }
    }
}

extension AgentConfigParser {
    func parseControl(_ root: FieldReader, gatewayID: String) -> AgentConfig.Control? {
        guard let reader = root.nested("control") else { return nil }
        defer { reader.finish() }
        let urlText = reader.string("url", required: true)
        let url = urlText.flatMap(BrokerURL.init)
        if let urlText, url == nil {
            reader.report(reader.node("url"), "url", "'\(urlText)' is not an MQTT URL (mqtt://host:port or mqtts://host:port)")
        }
        let topicPrefix = reader.string("topicPrefix") ?? "waystation/\(gatewayID)"
        var prefixValid = true
        if topicPrefix.isEmpty || topicPrefix.hasPrefix("/") || topicPrefix.hasSuffix("/") || topicPrefix.contains("+")
            || topicPrefix.contains("#") || topicPrefix.hasPrefix("$")
        {
            reader.report(reader.node("topicPrefix"), "topicPrefix", "'\(topicPrefix)' must be a topic without wildcards, '$' or a leading or trailing '/'")
            prefixValid = false
        }
        let keys = parseTrustedKeys(reader)
        let control = AgentConfig.Control(
            url: url ?? BrokerURL("mqtt://127.0.0.1:1883")!, topicPrefix: topicPrefix,
            clientId: reader.string("clientId") ?? "waystation-\(gatewayID)-control",
            username: reader.string("username"), passwordFile: reader.string("passwordFile").map(resolve), tls: parseTLS(reader),
            trustedKeys: keys ?? [],
            heartbeat: reader.duration("heartbeat", minimum: .seconds(1)) ?? .seconds(30),
            probation: reader.duration("probation", minimum: .seconds(1)) ?? .seconds(60))
        return url != nil && prefixValid && keys != nil ? control : nil
    }

    private func parseTrustedKeys(_ reader: FieldReader) -> [AgentConfig.TrustedKey]? {
        guard let texts = reader.stringList("trustedKeys"), !texts.isEmpty else {
            reader.report(nil, "trustedKeys", "is required: the ed25519:BASE64 public keys that may sign config (waystation keygen makes one)")
            return nil
        }
        var keys: [AgentConfig.TrustedKey] = []
        for text in texts {
            guard let key = AgentConfig.TrustedKey(text) else {
                reader.report(reader.node("trustedKeys"), "trustedKeys", "'\(text)' is not ed25519:BASE64 of a 32-byte public key")
                return nil
            }
            if !keys.contains(key) { keys.append(key) }
        }
        return keys
    }
}
