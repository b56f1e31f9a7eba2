import Foundation
import Outbox
import WaystationCore

#if canImport(Glibc)
import Glibc
#endif

/// `waystation status --watch`: a live view on a terminal; one plain line per refresh when piped or logged.
struct StatusWatch {
    let reader: StoreReader
    let interval: Double
    let count: Int?

    func run() async throws {
        let terminal = isatty(STDOUT_FILENO) == 1
        var previous: (delivered: Int64, at: ContinuousClock.Instant)?
        var refreshes = 0
        while count.map({ refreshes < $0 }) ?? true {
            if refreshes > 0 { try await Task.sleep(for: .milliseconds(Int64(max(0.05, interval) * 1000))) }
            refreshes += 1
            let stats = try reader.stats()
            let delivered = stats.totals["delivered"] ?? 0
            let now = ContinuousClock.now
            let rate = previous.map { Double(delivered - $0.delivered) / max(0.001, (now - $0.at).seconds) }
            previous = (delivered, now)
            let text = terminal ? "\u{1B}[H\u{1B}[2J" + screen(stats, rate: rate) : line(stats, rate: rate) + "\n"
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    private func age(_ lane: OutboxStats.LaneStats) -> String {
        lane.oldestUndeliveredAgeSeconds.map { String(format: "%.1fs", $0) } ?? "-"
    }

    func line(_ stats: OutboxStats, rate: Double?) -> String {
        let lanes = stats.lanes.map { "\($0.lane) \($0.backlog) waiting (oldest \(age($0)))" }.joined(separator: ", ")
        let rateText = rate.map { String(format: "%.0f/s", $0) } ?? "-"
        var text = "\(Timestamp.iso8601(millis: Timestamp.nowMillis())) \(lanes); delivered \(stats.totals["delivered"] ?? 0) (\(rateText))"
        text += "; dead letters \(stats.deadLetters); rejected \(stats.totals["rejected"] ?? 0)"
        if let refused = stats.inputRefused { text += "; INPUT REFUSED: \(refused)" }
        return text
    }

    func screen(_ stats: OutboxStats, rate: Double?) -> String {
        var text = "Waystation — \(stats.path)   \(Timestamp.iso8601(millis: Timestamp.nowMillis()))\n\n"
        text += "lane       waiting      bytes   oldest waiting   in flight\n"
        for lane in stats.lanes {
            text += lane.lane.padding(toLength: 9, withPad: " ", startingAt: 0)
            text += String(lane.backlog).leftPadded(9) + ByteSize.format(lane.backlogBytes).leftPadded(11) + age(lane).leftPadded(17)
            text += "   " + (lane.sealedBatch.map { "\($0.split(separator: "/").last ?? "") (attempt \((lane.sealedBatchAttempts ?? 0) + 1))" } ?? "-") + "\n"
        }
        text += "\ndelivered \(stats.totals["delivered"] ?? 0)   rate \(rate.map { String(format: "%.0f events/s", $0) } ?? "-")"
        text += "   last delivery \(stats.lastDeliveryAt ?? "never")\n"
        text += "accepted \(stats.totals["accepted"] ?? 0)   duplicates \(stats.totals["duplicates"] ?? 0)"
        text += "   rejected \(stats.totals["rejected"] ?? 0)   dead letters \(stats.deadLetters)\n"
        if let refused = stats.inputRefused { text += "\nINPUT REFUSED: \(refused)\n" }
        text += "\n(ctrl-c to stop)\n"
        return text
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
