import Logging
import WaystationCore

/// `cmd/<name>` → `cmd/<name>/result`, under the same signature rule as config, with a nonce that must grow.
extension FleetService {
    /// The commands there are.
    static var commandNames: [String] { ["flush", "deadletter/replay", "reload"] }

    func handleCommand(_ name: String, payload: [UInt8]) async {
        let digest = FleetKeys.digest(payload)
        guard record.lastCommandDigest != digest else { return }
        let (result, nonce) = await run(name, payload: payload)
        save { record in
            record.lastCommandDigest = digest
            if let nonce { record.commandNonce = max(record.commandNonce, nonce) }
        }
        logger.info(
            "control command handled",
            metadata: ["command": "\(name)", "status": "\(result.status.rawValue)", "result": "\(result.result ?? result.errors.joined(separator: " | "))"])
        await publish(topics.result(of: name), FleetJSON.encode(result), within: .seconds(5))
    }

    /// The result, and the nonce to remember (authentic commands only).
    private func run(_ name: String, payload: [UInt8]) async -> (CommandResult, Int64?) {
        func result(_ nonce: Int64, _ status: CommandResult.Status, _ text: String?, _ errors: [String] = []) -> CommandResult {
            CommandResult(command: name, nonce: nonce, status: status, result: text, errors: errors, at: Timestamp.iso8601(millis: Timestamp.nowMillis()))
        }
        let command: SignedCommand
        switch SignedCommand.parse(payload) {
        case .success(let parsed): command = parsed
        case .failure(let error): return (result(0, .rejected, nil, [error.message]), nil)
        }
        let keys = host.config(of: host.running).control?.trustedKeys ?? []
        if case .failure(let error) = FleetVerifier(trustedKeys: keys).verify(
            keyID: command.keyId, signature: command.signature, over: command.signedBytes(command: name))
        {
            return (result(command.nonce, .rejected, nil, [error.message]), nil)
        }
        let highest = record.commandNonce
        guard command.nonce > highest else {
            return (
                result(command.nonce, .rejected, nil, ["nonce \(command.nonce) is not above \(highest), the highest seen (replay protection)"]),
                command.nonce
            )
        }
        switch name {
        case "flush":
            return (result(command.nonce, .done, await host.flush()), command.nonce)
        case "deadletter/replay":
            let ids = (command.args ?? "").split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" }).map(String.init)
            do {
                let count = try await outbox.replayDeadLetters(ids.isEmpty ? nil : ids)
                return (result(command.nonce, .done, "replayed \(count) dead letter(s)"), command.nonce)
            } catch {
                return (result(command.nonce, .failed, nil, ["\(error)"]), command.nonce)
            }
        case "reload":
            do {
                return (result(command.nonce, .done, try await host.reload()), command.nonce)
            } catch let issues as ConfigIssues {
                return (result(command.nonce, .failed, nil, issues.issues.map(\.description)), command.nonce)
            } catch {
                return (result(command.nonce, .failed, nil, ["\(error)"]), command.nonce)
            }
        default:
            return (
                result(command.nonce, .rejected, nil, ["unknown command '\(name)' (commands: \(Self.commandNames.joined(separator: ", ")))"]),
                command.nonce
            )
        }
    }
}
