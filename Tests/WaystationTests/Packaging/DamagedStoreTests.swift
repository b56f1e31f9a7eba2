import Foundation
import Testing
import WaystationTestSupport

/// A gateway loses power or its flash wears out: `outbox.sqlite` comes back as garbage or cut short. The agent must
/// refuse to start with one line naming the file and the recovery steps — exit 2, so systemd shows the failure —
/// and must not delete, replace or even modify the file: it may hold events that were never delivered.
@Suite("Damaged outbox: refused at start with a recovery path, never deleted", .serialized)
struct DamagedStoreTests {
    struct Damage: CustomStringConvertible, Sendable {
        var description: String
        var apply: @Sendable (String) throws -> Void
        var expected: String
    }

    static let damages: [Damage] = [
        Damage(description: "garbage over the header", apply: { try overwrite($0, at: 0, count: 100) }, expected: "not an SQLite database"),
        Damage(description: "garbage over the data pages", apply: { try overwrite($0, at: 4096 * 2, count: 4096 * 6) }, expected: "SQLite"),
        Damage(description: "truncated to half", apply: { try truncate($0, keeping: { $0 / 2 }) }, expected: "SQLite"),
        Damage(description: "truncated inside the header", apply: { try truncate($0, keeping: { _ in 50 }) }, expected: "truncated"),
        Damage(description: "truncated to 0 bytes", apply: { try truncate($0, keeping: { _ in 0 }) }, expected: "empty (0 bytes)"),
    ]

    @Test("A damaged outbox.sqlite: exit 2, one line naming the file and the recovery; the file is left as it was")
    func damagedStoreRefused() async throws {
        let directory = try TestEnvironment.temporaryDirectory("damaged")
        let broker = try Broker(directory: directory)
        #expect(await broker.ready())
        // A real store with 200 undelivered events: the upstream is a port nobody listens on.
        let upstream = "http://127.0.0.1:\(TestEnvironment.freePort())/v1/events"
        let config = AgentProcess.config(broker: broker.url, upstream: upstream)
        let original = try AgentProcess(directory: directory, config: config)
        try original.start()
        #expect(await original.connected())
        try await ScanPublisher(port: broker.port).publish(0..<200)
        #expect(await TestEnvironment.eventually(timeout: .seconds(20)) { original.backlog() == 200 })
        #expect(await original.terminate() == 0)
        await broker.stop()

        for damage in Self.damages {
            let copy = try TestEnvironment.temporaryDirectory("damaged-copy")
            let agent = try AgentProcess(directory: copy, config: config)
            try FileManager.default.copyItem(atPath: original.stateDirectory, toPath: agent.stateDirectory)
            let store = agent.stateDirectory + "/outbox.sqlite"
            try damage.apply(store)
            let damaged = try Data(contentsOf: URL(fileURLWithPath: store))

            try agent.start()
            let exited = await TestEnvironment.eventually(timeout: .seconds(30)) { !agent.isRunning }
            #expect(exited, "\(damage): the agent started on a damaged store: \(agent.log)")
            let status = await agent.terminate()
            #expect(status == 2, "\(damage): exit status \(String(describing: status))")
            // The last line (stderr) says it all, in one line.
            let error = agent.log.split(separator: "\n").last.map(String.init) ?? ""
            for word in [store, "damaged", damage.expected, "nothing was deleted", "move", "aside", "README"] {
                #expect(error.contains(word), "\(damage): '\(word)' missing from: \(error)")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == damaged, "\(damage): the damaged file was changed")

            // The documented recovery: move the file aside and start again on a new, empty store.
            if damage.description == Self.damages[0].description {
                for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: store + suffix) {
                    try FileManager.default.moveItem(atPath: store + suffix, toPath: store + suffix + ".damaged")
                }
                try agent.start()
                #expect(await TestEnvironment.eventually(timeout: .seconds(20)) { agent.log.contains("outbox open") }, "\(agent.log)")
                #expect(await agent.terminate() == 0)
                #expect(FileManager.default.fileExists(atPath: store + ".damaged"))
            }
            try? FileManager.default.removeItem(atPath: copy)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func overwrite(_ path: String, at offset: UInt64, count: Int) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: offset)
        var generator = SystemRandomNumberGenerator()
        try handle.write(contentsOf: Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    }

    static func truncate(_ path: String, keeping size: (UInt64) -> UInt64) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let length = try handle.seekToEnd()
        try handle.truncate(atOffset: size(length))
    }
}
