public import WaystationCore

/// Which parts of a pushed config may differ from the running one (DESIGN.md 3.7).
///
/// A pushed config is a whole config file, validated like the local one. The local file alone decides the
/// gateway's identity (`gateway.id`), its `state` section and the control connection (`control.url`,
/// `topicPrefix`, `clientId`, credentials, `tls`); a pushed config may leave `state` and `control` out (they
/// are taken from the running config) or repeat them unchanged. It may change devices, the floor broker,
/// upstream, batching, retry, profiles, `gateway.site`, `control.heartbeat` and `control.probation`.
/// `control.trustedKeys` may change only in a config signed by a key that stays trusted after the change
/// (so the signer proves it can still sign the next one: add the new key with the old, then drop the old
/// key with a config signed by the new one).
public enum RemoteConfigRules {
    /// The config to run for `pushed` on a gateway running `running`, or why it may not run.
    ///
    /// - Parameters:
    ///   - text: the pushed YAML (to see which sections it names).
    ///   - signer: the key that signed it.
    public static func effective(
        pushed: AgentConfig, text: String, running: AgentConfig, signer: AgentConfig.TrustedKey?
    ) -> Result<AgentConfig, FleetError> {
        var errors: [String] = []
        let sections = topLevelKeys(text)
        var effective = pushed
        if pushed.gateway.id != running.gateway.id {
            errors.append(
                "gateway.id: a pushed config may not change the gateway id (this gateway is '\(running.gateway.id)', "
                    + "the config names '\(pushed.gateway.id)'); push it to the gateway it names")
        }
        if !sections.contains("state") {
            effective.state = running.state
        } else if pushed.state.directory != running.state.directory {
            errors.append(
                "state.dir: a pushed config may not change the state directory (running \(running.state.directory), "
                    + "pushed \(pushed.state.directory)); leave state out of pushed configs")
        } else if pushed.state != running.state {
            errors.append("state: maxBytes, minFree and durability come from the local file only (change them there and restart); leave state out")
        }
        switch (running.control, sections.contains("control") ? pushed.control : nil) {
        case (let current?, nil):
            effective.control = current
        case (let current?, let proposed?):
            if proposed.connection != current.connection {
                errors.append(
                    "control: the control connection (url, topicPrefix, clientId, username, passwordFile, tls) comes from "
                        + "the local file only; a pushed config may change trustedKeys, heartbeat and probation")
            }
            if proposed.trustedKeys != current.trustedKeys, let problem = rotationProblem(to: proposed.trustedKeys, signer: signer) {
                errors.append(problem)
            }
        case (nil, _):
            errors.append("control: this gateway has no control section in its local file, so it takes no pushed config")
        }
        return errors.isEmpty ? .success(effective) : .failure(FleetError(errors.joined(separator: "\n")))
    }

    /// Why a change of the trusted keys to `keys` may not be made by `signer`, or nil.
    static func rotationProblem(to keys: [AgentConfig.TrustedKey], signer: AgentConfig.TrustedKey?) -> String? {
        guard let signer else { return "control.trustedKeys: a key change must be signed" }
        if keys.contains(signer) { return nil }
        return "control.trustedKeys: a key change must be signed by a key that stays trusted after it (signed by "
            + "\(FleetKeys.keyID(signer)), which the new list drops); add the new key first, then drop the old one "
            + "in a config signed by the new key"
    }

    /// The keys of the document's top-level mapping.
    static func topLevelKeys(_ text: String) -> Set<String> {
        guard let root = try? YAMLNode.parse(text, file: "config"), case .mapping(let pairs) = root.value else { return [] }
        return Set(pairs.map(\.key))
    }

    /// `running` with the trusted keys kept in `record` (after a remote rotation) in force.
    public static func withKeptKeys(_ running: AgentConfig, record: FleetRecord) -> AgentConfig {
        guard let texts = record.trustedKeys, var control = running.control else { return running }
        let keys = texts.compactMap(AgentConfig.TrustedKey.init)
        guard !keys.isEmpty else { return running }
        control.trustedKeys = keys
        var config = running
        config.control = control
        return config
    }
}
