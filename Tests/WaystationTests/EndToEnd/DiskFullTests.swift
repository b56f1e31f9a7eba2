import Foundation
import Outbox
import Testing
import WaystationTestSupport

@Suite("Disk full", .serialized)
struct DiskFullTests {
    @Test("The state directory's file system fills up: input is refused visibly, the agent keeps running, resumes when space returns, store intact")
    func diskFull() async throws {
        let directory = try TestEnvironment.temporaryDirectory("diskfull")
        let state = directory + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let mount = try TestEnvironment.run("/bin/mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", state])
        try #require(mount.status == 0, "this test needs to mount a small tmpfs (root): \(mount.output)")
        defer { _ = try? TestEnvironment.run("/bin/umount", ["-l", state]) }
        let harness = try await Harness.start("diskfull-run") { broker, receiver in
            AgentProcess.config(broker: broker.url, upstream: receiver.url, state: ", maxBytes: 1GiB, minFree: 0")
        }
        defer { Task { await harness.stop() } }
        // Point the agent at the tiny file system.
        await harness.agent.stop()
        try harness.agent.writeConfig(
            AgentProcess.config(broker: harness.broker.url, upstream: harness.receiver.url, state: ", maxBytes: 1GiB, minFree: 0")
                .replacingOccurrences(of: "dir: state", with: "dir: \(state)"))
        try harness.agent.start()
        #expect(await harness.agent.connected())
        try harness.receiver.injectFault(status: 503, count: 1_000_000)
        let total = 30_000
        let published = try await ScanPublisher(port: harness.broker.port).publish(0..<total)
        let refused = await TestEnvironment.eventually(timeout: .seconds(60)) { harness.agent.log.contains("is full") }
        #expect(refused, "the agent says the disk is full")
        #expect(harness.agent.isRunning)
        let status = try TestEnvironment.run(TestEnvironment.binary, ["status", "--state-dir", state])
        #expect(status.status == 0, "status works on a full disk: \(status.output)")
        let backlogWhileFull = try StoreReader(stateDirectory: state).stats().lanes.map(\.backlog).reduce(0, +)
        #expect(backlogWhileFull > 0 && backlogWhileFull < total, "some accepted, the rest held by the broker")

        let grow = try TestEnvironment.run("/bin/mount", ["-o", "remount,size=64m", state])
        #expect(grow.status == 0, "\(grow.output)")
        try harness.receiver.clearFault()
        #expect(await harness.delivered(total, within: .seconds(120)) == total)
        let events = try harness.receiver.events()
        #expect(Set(events.compactMap(\.messageID)) == Set(published))
        harness.expectOrderedAndUnique(events)
        await harness.agent.stop()
        let check = try TestEnvironment.run("/usr/bin/sqlite3", [state + "/outbox.sqlite", "PRAGMA integrity_check"])
        #expect(check.output.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
        await harness.stop()
    }
}
