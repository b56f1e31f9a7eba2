import Agent
import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ReferenceReceiver

struct ReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive", abstract: "The reference upstream receiver: dedupes by event id, stores what it accepts.")

    @Option(help: "Address to listen on, HOST:PORT.") var listen = "127.0.0.1:8080"
    @Option(help: "SQLite file for accepted events.") var db = "receiver.sqlite"
    @Option(help: "Require this bearer token (read from the file).") var tokenFile: String?
    @Option(help: "Refuse, per event, events whose JSON contains this text (tests the dead letter).") var rejectMatching: String?
    @Option(help: "Path to accept batches on.") var path = "/v1/events"

    func run() async throws {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
            throw CLIFailure.invalid("--listen: '\(listen)' is not HOST:PORT")
        }
        let host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let token = try tokenFile.map { file in
            do {
                return try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw CLIFailure.invalid("\(file): cannot read token: \(error.localizedDescription)")
            }
        }
        Logs.bootstrap(level: .info, json: false)
        let logger = Logger(label: "receiver")
        let receiver: ReferenceReceiver
        do {
            receiver = try ReferenceReceiver(
                options: .init(host: host, port: port, databasePath: db, token: token, rejectMatching: rejectMatching, path: path),
                logger: logger)
        } catch {
            throw CLIFailure.runtime("\(db): \(error)")
        }
        print("receiver listening on http://\(listen)\(path), storing into \(db)")
        do {
            try await receiver.application().runService()
        } catch {
            throw CLIFailure.runtime("receiver: \(error)")
        }
        if let totals = try? await receiver.store.totals() {
            print("receiver stopped: \(totals.events) events, \(totals.requests) requests, \(totals.duplicates) duplicates, \(totals.outOfOrder) out of order")
        }
    }
}
