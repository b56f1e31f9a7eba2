import Logging
import WaystationCore

/// `config/desired`: check, validate, apply, probation, report.
extension FleetService {
    /// What became of one message, and what of it to remember.
    struct Outcome {
        var version: Int64
        var status: ConfigReport.Status
        var errors: [String]
        /// The version to remember as seen (authentic messages only).
        var seenVersion: Int64?
    }

    func handleDesired(_ payload: [UInt8]) async {
        let digest = FleetKeys.digest(payload)
        guard record.lastDesiredDigest != digest else {
            logger.debug("config/desired already handled (a retained copy)")
            return
        }
        let outcome: Outcome?
        do {
            outcome = try await host.exclusively { await self.decide(payload, digest: digest) }
        } catch {
            outcome = Outcome(version: 0, status: .rejected, errors: ["\(error)"], seenVersion: nil)
        }
        // nil: the agent stopped during probation; nothing is remembered, so the message is handled again at start.
        guard let outcome else { return }
        if outcome.status != .applied {
            save { record in
                record.lastDesiredDigest = digest
                if let seen = outcome.seenVersion { record.highestVersion = max(record.highestVersion, seen) }
            }
        }
        let report = ConfigReport(
            version: outcome.version, status: outcome.status, errors: outcome.errors, at: Timestamp.iso8601(millis: Timestamp.nowMillis()),
            running: record.appliedVersion)
        let metadata: Logger.Metadata = ["version": "\(outcome.version)", "status": "\(outcome.status.rawValue)", "running": "\(report.running)"]
        if outcome.status == .applied {
            logger.info("pushed config applied", metadata: metadata)
        } else {
            logger.warning("pushed config not kept", metadata: metadata.merging(["errors": "\(outcome.errors.joined(separator: " | "))"]) { $1 })
        }
        await publish(topics.reported, FleetJSON.encode(report), within: .seconds(5))
        await publishStatus()
    }

    private func decide(_ payload: [UInt8], digest: String) async -> Outcome? {
        if let problem = state.withLock({ $0.recordProblem }) {
            return Outcome(version: 0, status: .rejected, errors: [problem], seenVersion: nil)
        }
        let message: DesiredConfig
        switch DesiredConfig.parse(payload) {
        case .success(let parsed): message = parsed
        case .failure(let error): return Outcome(version: 0, status: .rejected, errors: [error.message], seenVersion: nil)
        }
        let version = message.version
        let running = host.running
        let runningConfig = host.config(of: running)
        let signer: AgentConfig.TrustedKey
        switch FleetVerifier(trustedKeys: runningConfig.control?.trustedKeys ?? []).verify(
            keyID: message.keyId, signature: message.signature, over: message.signedBytes)
        {
        case .success(let key): signer = key
        case .failure(let error): return Outcome(version: version, status: .rejected, errors: [error.message], seenVersion: nil)
        }
        // Authentic from here on: the version counts as seen whatever happens next.
        let highest = record.highestVersion
        guard version > highest else {
            return Outcome(
                version: version, status: .rejected,
                errors: ["version \(version) is not newer than \(highest), the highest this gateway has seen (replay protection); push a higher version"],
                seenVersion: version)
        }
        let effective: AgentConfig
        let candidate: Host.Candidate
        do {
            let pushed = try host.validate(message.config, label: "config/desired v\(version)")
            effective = try RemoteConfigRules.effective(pushed: pushed, text: message.config, running: runningConfig, signer: signer).get()
            candidate = try host.prepare(effective)
        } catch let issues as ConfigIssues {
            return Outcome(version: version, status: .rejected, errors: issues.issues.map(\.description), seenVersion: version)
        } catch let error as FleetError {
            return Outcome(version: version, status: .rejected, errors: error.message.split(separator: "\n").map(String.init), seenVersion: version)
        } catch {
            return Outcome(version: version, status: .rejected, errors: ["\(error)"], seenVersion: version)
        }
        return await applyOnProbation(message, candidate: candidate, effective: effective, previous: running, digest: digest)
    }

    private func applyOnProbation(
        _ message: DesiredConfig, candidate: Host.Candidate, effective: AgentConfig, previous: Host.Candidate, digest: String
    ) async -> Outcome? {
        let version = message.version
        let before = await host.health()
        do {
            try await host.apply(candidate, version: version)
        } catch {
            return Outcome(
                version: version, status: .rejected, errors: ["could not apply: \(error); the running config stays"], seenVersion: version)
        }
        state.withLock { $0.probationVersion = version }
        defer { state.withLock { $0.probationVersion = nil } }
        await publishStatus()
        let probation = Probation(before: before, config: effective, duration: effective.control?.probation ?? settings.control.probation)
        logger.info("pushed config on probation", metadata: ["version": "\(version)", "probation": "\(DurationText.format(probation.duration))"])
        switch await watch(probation) {
        case .undecided:
            return nil
        case .passed:
            let keysChanged = effective.control?.trustedKeys != host.config(of: previous).control?.trustedKeys
            save { record in
                record.applied = message
                record.appliedAt = Timestamp.iso8601(millis: Timestamp.nowMillis())
                record.highestVersion = max(record.highestVersion, version)
                record.lastDesiredDigest = digest
                if keysChanged { record.trustedKeys = effective.control?.trustedKeys.map(\.text) }
            }
            return Outcome(version: version, status: .applied, errors: [], seenVersion: version)
        case .failed(var reasons):
            let back = record.appliedVersion
            do {
                try await host.apply(previous, version: back)
                reasons.append("rolled back: running " + (back == 0 ? "the local config file" : "version \(back)") + " again")
            } catch {
                reasons.append("rolling back failed too: \(error)")
            }
            return Outcome(version: version, status: .rolledBack, errors: reasons, seenVersion: version)
        }
    }

    /// Checks the probation every 200 ms until it is decided; `.undecided` only if the agent is stopping.
    private func watch(_ probation: Probation) async -> Probation.Verdict {
        let start = ContinuousClock.now
        while true {
            let timeUp = ContinuousClock.now - start >= probation.duration
            let verdict = probation.verdict(await host.health(), timeUp: timeUp)
            if verdict != .undecided { return verdict }
            if Task.isShuttingDownGracefully { return .undecided }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }
}
