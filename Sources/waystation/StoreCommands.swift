import Agent
import ArgumentParser
import Foundation
import Logging
import Outbox
import WaystationCore

/// Where the store is: `--state-dir`, else the state dir of `--config`, else the packaged default.
struct StoreLocation: ParsableArguments {
    @Option(name: .long, help: "The agent's state directory.")
    var stateDir: String?

    @Option(name: .long, help: "Read the state directory from this config file.")
    var config: String?

    func stateDirectory() throws -> String {
        if let stateDir { return stateDir }
        let file = config ?? "/etc/waystation/waystation.yaml"
        if config != nil || FileManager.default.fileExists(atPath: file) {
            return try ConfigLoader(path: file).validate().state.directory
        }
        return "/var/lib/waystation"
    }

    func reader() throws -> StoreReader {
        let directory = try stateDirectory()
        do {
            return try StoreReader(stateDirectory: directory)
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

    @Flag(name: .long, help: "Keep watching: a live view on a terminal, one line per refresh otherwise.")
    var watch = false

    @Option(help: "With --watch: refresh every this many seconds.") var interval: Double = 1

    @Option(help: "With --watch: stop after this many refreshes.") var count: Int?

    func run() async throws {
        if watch {
            try await StatusWatch(reader: try location.reader(), interval: interval, count: count).run()
            return
        }
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
        if (totals["evicted"] ?? 0) > 0 {
            print("evicted      \(totals["evicted"] ?? 0) bulk events under the disk quota, announced in \(totals["gaps"] ?? 0) gap events")
        }
        if let refused = stats.inputRefused {
            print("INPUT REFUSED: \(refused) (\(totals["refused"] ?? 0) refused so far; the floor broker holds what devices send meanwhile)")
        }
    }
}

struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deadletter", abstract: "Inspect, replay or purge events the upstream refused.",
        subcommands: [List.self, Replay.self, Purge.self])

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

/// Which dead letters a replay or purge takes.
struct DeadLetterSelection: ParsableArguments {
    @Option(name: .customLong("id"), help: "An event id (repeat for several).") var ids: [String] = []
    @Flag(help: "All dead letters.") var all = false

    func validate() throws {
        guard all != !ids.isEmpty else { throw ValidationError("name dead letters with --id ID (repeatable) or --all") }
    }

    var selection: [String]? { all ? nil : ids }
}

extension DeadLetterCommand {
    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put dead letters back at the tail of their lane (new seq, original id); the running agent does it within a second.")
        @OptionGroup var location: StoreLocation
        @OptionGroup var which: DeadLetterSelection

        func run() async throws {
            print(try await StoreCommandRunner.run(.replay, ids: which.selection, location: location))
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete dead letters for good.")
        @OptionGroup var location: StoreLocation
        @OptionGroup var which: DeadLetterSelection

        func run() async throws {
            print(try await StoreCommandRunner.run(.purge, ids: which.selection, location: location))
        }
    }
}

enum StoreCommandRunner {
    static func run(_ kind: StoreCommand.Kind, ids: [String]?, location: StoreLocation) async throws -> String {
        let directory = try location.stateDirectory()
        do {
            return try await StoreCommand.run(kind, ids: ids, stateDirectory: directory, logger: Logger(label: "waystation"))
        } catch {
            throw CLIFailure.runtime("\(error)")
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
