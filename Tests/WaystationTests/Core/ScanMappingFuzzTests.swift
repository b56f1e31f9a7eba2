import Testing

@testable import WaystationCore

/// Seeded fuzzing of device payload mapping: whatever a device publishes, ingest gets an event or a rejection.
@Suite("Core: ScanMapping fuzz")
struct CoreScanMappingFuzzTests {
    static let alphabet: [UInt8] = Array(#"{}[]:,"\ 0123456789.-+eEZTtnul:/"#.utf8) + [0x00, 0x0D, 0x0A, 0x80, 0xC3, 0xFF]

    /// Maps `count` mutations of `seeds`; every result is a draft with a non-empty barcode or a rejection with a reason.
    static func fuzz(seeds: [String], device: DeviceBinding, count: Int, seed: UInt64) -> (mapped: Int, rejected: Int) {
        var mutator = CoreMutator(rng: CoreSplitMix64(seed: seed), alphabet: alphabet)
        let seedBytes = seeds.map { Array($0.utf8) }
        var mapped = 0
        var rejected = 0
        for index in 0..<count {
            let payload = mutator.mutate(seedBytes[index % seedBytes.count])
            switch CoreScanMappingTests.map(bytes: payload, device) {
            case .success(let message):
                mapped += 1
                if case .string(let barcode) = message.draft.subject["barcode"] {
                    #expect(!barcode.isEmpty && barcode.utf8.count <= 256)
                } else {
                    Issue.record("mapped without a barcode: \(payload)")
                }
            case .failure(let rejection):
                rejected += 1
                #expect(!rejection.reason.isEmpty)
            }
        }
        return (mapped, rejected)
    }

    @Test("mutated payloads without timestamps: mapped or rejected, never a crash")
    func jsonPayloadsWithoutTimestamps() throws {
        let seeds = [
            #"{"barcode": "]C100340063810000000018", "qty": 1, "msgId": "sc-1-4711", "mode": "load"}"#,
            #"{"barcode": "4006381333931", "location": "DOCK-3", "qty": "12"}"#,
            #"{"barcode": "0110614141000415", "msgId": 42}"#,
        ]
        let result = Self.fuzz(seeds: seeds, device: try CoreScanMappingTests.gs1Device(), count: 20_000, seed: 0xFA11)
        #expect(result.mapped > 100)
        #expect(result.rejected > 100)
    }

    @Test("mutated raw text payloads: mapped or rejected, never a crash")
    func rawPayloads() throws {
        let seeds = ["0400638133393\r\n", "]C100340063810000000018", "01106141410004151724123110ABC\n"]
        let result = Self.fuzz(seeds: seeds, device: try CoreScanMappingTests.rawDevice(), count: 20_000, seed: 0xFA12)
        #expect(result.mapped > 100)
        #expect(result.rejected > 100)
    }

    @Test
    func jsonPayloadsWithTimestamps() throws {
        let seeds = [#"{"barcode": "4006381333931", "ts": "2026-11-22T10:00:00.123Z", "msgId": "sc-1-4711"}"#]
        let result = Self.fuzz(seeds: seeds, device: try CoreScanMappingTests.gs1Device(), count: 20_000, seed: 0xFA13)
        #expect(result.mapped > 100)
        #expect(result.rejected > 100)
    }
}
