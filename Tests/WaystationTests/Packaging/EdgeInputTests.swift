import Foundation
import Testing
import WaystationTestSupport

/// What a floor network can send that a well-behaved scanner does not: odd bytes in topic names, topics near
/// MQTT's 64 KiB limit, payloads at and just over the profile's size limit, control characters inside fields.
/// Each is an event or a `rejected` row with a reason — never a stopped agent or a broken tool.
@Suite("Bad input at the edges: odd topics and payloads", .serialized)
struct EdgeInputTests {
    static let prefix = "warehouse/dock1/scanner/"

    @Test("Odd topic bytes and 60 KB topics become events; payloads over maxBytes and escape sequences stay data; nothing stops")
    func oddTopicsAndPayloads() async throws {
        let harness = try await Harness.start("edge-input")
        defer { Task { await harness.stop() } }
        // Everything mosquitto lets through in a topic level (it refuses invalid UTF-8, U+0000 and control
        // characters itself): 4-byte emoji, combining marks, right-to-left text, zero-width and BOM characters,
        // private use, a level of 60,000 bytes.
        let levels = [
            "scanner-🚚📦", "e\u{301}\u{302}\u{303}", "שלום-مرحبا", "zero\u{200B}width\u{FEFF}bom", "private\u{E000}\u{F8FF}",
            "quote\"back\\slash'", "{\"json\":true}", String(repeating: "x", count: 60_000),
        ]
        var messages: [(topic: String, payload: [UInt8])] = levels.enumerated().map { index, level in
            (Self.prefix + level + "/scan", ScanPublisher.payload(index, clientID: "odd-topic"))
        }
        let limit = 64 * 1024  // gs1-scanner's maxBytes
        let padding = { (size: Int, id: String) -> [UInt8] in
            let head = "{\"barcode\":\"4006381333931\",\"msgId\":\"\(id)\",\"pad\":\""
            return Array((head + String(repeating: "p", count: size - head.utf8.count - 2) + "\"}").utf8)
        }
        messages.append((Self.prefix + "1/scan", padding(limit, "at-limit")))  // exactly the limit: accepted
        // Terminal escape sequences in a field: kept as data (the barcode is not GS1, so a plain scan), and
        // escaped in the event's JSON, never written raw to a log or a terminal.
        messages.append((Self.prefix + "📦/scan", Array("{\"barcode\":\"\\u001b[2J\\u001b[31m4006381333931\",\"msgId\":\"escape\"}".utf8)))
        let rejectedInputs: [(topic: String, payload: [UInt8])] = [
            (Self.prefix + "1/scan", padding(limit + 1, "over-limit")),
            (Self.prefix + String(repeating: "y", count: 60_000) + "/scan", Array("not json at all \u{1B}[2J".utf8)),
        ]
        try await ScanPublisher(port: harness.broker.port, clientID: "edge").publishPayloads(messages + rejectedInputs)

        let accepted = levels.count + 2
        #expect(await harness.delivered(accepted) == accepted, "\(harness.agent.log.suffix(2000))")
        let counted = await TestEnvironment.eventually(timeout: .seconds(10)) {
            (try? harness.agent.stats().totals["rejected"]) == Int64(rejectedInputs.count)
        }
        #expect(counted, "rejected: \(String(describing: try? harness.agent.stats().totals))")
        #expect(harness.agent.isRunning)

        // The receiver parsed every event: the JSON the agent wrote is valid whatever the topic held.
        let events = try harness.receiver.events()
        #expect(events.count == accepted)
        #expect(Set(events.compactMap(\.messageID)).isSuperset(of: ["odd-topic-0", "odd-topic-7", "at-limit", "escape"]))
        #expect(events.contains { $0.body.contains(#"\u001b[2J\u001b[31m4006381333931"#) })
        #expect(!events.contains { $0.body.unicodeScalars.contains("\u{1B}") })

        // The tools read the rows back: one line per row, no raw control characters reaching a terminal.
        let rows = try StoreReaderRows.rejected(harness.agent.stateDirectory)
        #expect(rows.count == rejectedInputs.count, "\(rows)")
        #expect(rows.contains { $0.contains("payload too large: \(limit + 1) bytes") })
        let output = try TestEnvironment.run(TestEnvironment.binary, ["rejected", "--state-dir", harness.agent.stateDirectory]).output
        #expect(!output.unicodeScalars.contains { $0 == "\u{1B}" }, "an escape character reached the terminal: \(output)")
        #expect(!harness.agent.log.unicodeScalars.contains { $0 == "\u{1B}" }, "an escape character reached the log")

        // Still delivering.
        try await ScanPublisher(port: harness.broker.port, clientID: "after").publish(0..<10)
        #expect(await harness.delivered(accepted + 10) == accepted + 10)
        await harness.stop()
    }

    @Test("Modbus responses of the wrong length: one clear rejected row per device, counted; polling and the agent go on")
    func modbusWrongLengths() async throws {
        let short = try MalformedModbusServer(fault: .shortByteCount)
        let truncated = try MalformedModbusServer(fault: .truncatedFrame)
        defer {
            short.stop()
            truncated.stop()
        }
        let harness = try await ModbusHarness.start(
            "modbus-wrong-length",
            devices: """
                  - { id: short-scale, profile: modbus-scale, endpoint: "tcp://127.0.0.1:\(short.port)", interval: 100ms }
                  - { id: cut-scale, profile: modbus-scale, endpoint: "tcp://127.0.0.1:\(truncated.port)", interval: 100ms, timeout: 200ms }
                """)
        // Polled again and again (backed off), never crashing the bus threads.
        let polled = await TestEnvironment.eventually(timeout: .seconds(20)) { short.requests >= 4 && truncated.requests >= 3 }
        #expect(polled, "requests: \(short.requests) short, \(truncated.requests) truncated")
        let rows = try harness.rejected()
        #expect(rows.count == 2, "\(rows)")
        #expect(rows.contains { $0.contains("short-scale: Modbus read of holding 0..2 failed: invalid data") && $0.contains("tcp://127.0.0.1:\(short.port)") }, "\(rows)")
        #expect(rows.contains { $0.contains("cut-scale: Modbus read of holding 0..2 failed: connection timed out") && $0.contains("tcp://127.0.0.1:\(truncated.port)") }, "\(rows)")
        #expect(harness.measurements("short-scale").isEmpty && harness.measurements("cut-scale").isEmpty)
        #expect(harness.agent.isRunning)
        await harness.stop()
    }
}
