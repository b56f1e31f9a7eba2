import Agent
import ArgumentParser
import Foundation
import Outbox
import WaystationCore

/// Where the store is: `--state-dir`, else the state dir of `--config`, else the packaged default.
struct StoreLocation: ParsableArguments {
    @Option(name: .long, help: "The agent's state directory.")
    var stateDir: String?

    @Option(name: .long, help: "Read the state directory from this config file.")
    var config: String?

    func reader() throws -> StoreReader {
        var directory = stateDir
        if directory == nil {
            let file = config ?? "/etc/waystation/waystation.yaml"
            if config != nil || FileManager.default.fileExists(atPath: file) {
                directory = try ConfigLoader(path: file).validate().state.directory
            }
        }
        do {
            return try StoreReader(stateDirectory: directory ?? "/var/lib/waystation")
        } catch {
            throw CLIFailure.runtime("\(error)")
        }
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Backlog, lag, dead letters and deliveries, read from the store (works while the agent is stopped).")

    @OptionGroup var location: StoreLocation

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() async throws {
        let stats = try location.reader().stats()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(stats), as: UTF8.self))
            return
        }
        print("store        \(stats.path)")
        print("stream       \(stats.stream)")
        for lane in stats.lanes {
            let age = lane.oldestUndeliveredAgeSeconds.map { String(format: "%.1fs", $0) } ?? "-"
            print(
                "lane \(lane.lane.padding(toLength: 8, withPad: " ", startingAt: 0)) backlog \(lane.backlog) (\(ByteSize.format(lane.backlogBytes)))"
                    + "  oldest undelivered \(age)  last seq \(lane.lastSeq)"
                    + (lane.sealedBatch.map { "  in flight \($0) (attempts \(lane.sealedBatchAttempts ?? 0))" } ?? ""))
        }
        let totals = stats.totals
        print("accepted     \(totals["accepted"] ?? 0)   duplicates \(totals["duplicates"] ?? 0)   delivered \(totals["delivered"] ?? 0)")
        print("rejected     \(totals["rejected"] ?? 0) inputs (\(stats.rejectedStored) kept)   dead letters \(stats.deadLetters)")
        print("last delivery \(stats.lastDeliveryAt ?? "never")")
    }
}

struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deadletter", abstract: "Inspect events the upstream refused.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List dead letters, oldest first.")
        @OptionGroup var location: StoreLocation
        @Option(help: "At most this many.") var limit = 100
        @Flag(help: "One JSON object per line.") var json = false

        func run() async throws {
            let letters = try location.reader().deadLetters(limit: limit)
            for letter in letters {
                if json {
                    print(String(decoding: try JSONEncoder().encode(letter), as: UTF8.self))
                } else {
                    print("\(letter.deadAt)  \(letter.lane)#\(letter.seq)  \(letter.id)  \(letter.reason)")
                }
            }
            if !json && letters.isEmpty { print("no dead letters") }
        }
    }
}

struct RejectedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rejected", abstract: "Show the newest inputs that could not become events, with the reason.")
    @OptionGroup var location: StoreLocation
    @Option(help: "At most this many.") var limit = 20

    func run() async throws {
        let rows = try location.reader().rejected(limit: limit)
        for row in rows {
            print("\(row.at)  \(row.device ?? "-")  \(row.source)  \(row.reason)")
        }
        if rows.isEmpty { print("no rejected inputs") }
    }
}
