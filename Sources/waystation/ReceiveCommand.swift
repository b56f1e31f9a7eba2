import Agent
import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ReferenceReceiver
import UnixSignals
import WaystationCore

struct ReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive", abstract: "The reference upstream receiver: dedupes by event id, stores what it accepts.")

    @Option(help: "Address to listen on, HOST:PORT.") var listen = "127.0.0.1:8080"
    @Option(help: "SQLite file for accepted events.") var db = "receiver.sqlite"
    @Option(help: "Require this bearer token (read from the file).") var tokenFile: String?
    @Option(help: "Refuse, per event, events whose JSON contains this text (tests the dead letter).") var rejectMatching: String?
    @Option(help: "Refuse a whole batch (422, no detail) if an event contains this text (tests poison isolation).") var poisonMatching: String?
    @Option(help: "Answer 413 to batches with more events than this (tests splitting).") var maxBatchEvents: Int?
    @Option(help: "Path to accept batches on.") var path = "/v1/events"
    @Option(help: "Receive from this MQTT broker instead of over HTTP (the MQTT upstream, DESIGN.md 3.6).") var mqtt: String?
    @Option(help: "With --mqtt: the topic batches are published to.") var topic = "waystation/+/events"
    @Option(help: "Serve HTTPS with this certificate (PEM; with --mqtt: the client certificate).") var tlsCert: String?
    @Option(help: "The private key of --tls-cert (PEM).") var tlsKey: String?
    @Option(help: "Require client certificates signed by this CA (PEM; with --mqtt: the broker's CA).") var tlsCa: String?

    func run() async throws {
        if let mqtt {
            try await receiveMQTT(mqtt)
            return
        }
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
        let tls = try httpsFiles()
        Logs.bootstrap(level: .info, json: false)
        let logger = Logger(label: "receiver")
        let receiver: ReferenceReceiver
        do {
            receiver = try ReferenceReceiver(
                options: .init(
                    host: host, port: port, databasePath: db, token: token, rejectMatching: rejectMatching,
                    poisonMatching: poisonMatching, maxBatchEvents: maxBatchEvents, path: path, tls: tls),
                logger: logger)
        } catch {
            throw CLIFailure.runtime("\(db): \(error)")
        }
        print("receiver listening on \(receiver.scheme)://\(listen)\(path), storing into \(db)")
        do {
            try await receiver.application().runService()
        } catch {
            throw CLIFailure.runtime("receiver: \(error)")
        }
        if let totals = try? await receiver.store.totals() {
            print("receiver stopped: \(totals.events) events, \(totals.requests) requests, \(totals.duplicates) duplicates, \(totals.outOfOrder) out of order")
        }
    }

    private func receiveMQTT(_ url: String) async throws {
        guard let broker = BrokerURL(url) else { throw CLIFailure.invalid("--mqtt: '\(url)' is not an mqtt:// URL") }
        Logs.bootstrap(level: .info, json: false)
        let receiver: MQTTReceiver
        do {
            receiver = try MQTTReceiver(
                broker: broker, topic: topic, clientID: "waystation-receiver", databasePath: db, logger: Logger(label: "receiver"),
                tls: (tlsCa, tlsCert, tlsKey))
            try await receiver.start()
        } catch {
            throw CLIFailure.runtime("receiver: \(error)")
        }
        print("receiver subscribed to \(topic) on \(broker), storing into \(db)")
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        for await _ in signals { break }
        await receiver.stop()
        if let totals = try? await receiver.store.totals() {
            print("receiver stopped: \(totals.events) events, \(totals.requests) batches, \(totals.duplicates) duplicates, \(totals.outOfOrder) out of order")
        }
    }

    /// `--tls-cert` and `--tls-key` together turn HTTPS on; `--tls-ca` alone is a mistake worth saying.
    private func httpsFiles() throws -> ReferenceReceiver.TLSFiles? {
        switch (tlsCert, tlsKey) {
        case (let cert?, let key?): return ReferenceReceiver.TLSFiles(certFile: cert, keyFile: key, caFile: tlsCa)
        case (nil, nil):
            if tlsCa != nil { throw CLIFailure.invalid("--tls-ca needs --tls-cert and --tls-key (HTTPS)") }
            return nil
        default: throw CLIFailure.invalid("--tls-cert and --tls-key go together")
        }
    }
}
