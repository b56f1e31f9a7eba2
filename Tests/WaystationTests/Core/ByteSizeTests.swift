import Testing

@testable import WaystationCore

@Suite("Core: ByteSize")
struct CoreByteSizeTests {
    @Test("parses binary, decimal and plain sizes", arguments: [
        ("512KiB", Int64(512 * 1024)),
        ("2GiB", 2 * 1024 * 1024 * 1024),
        ("16MiB", 16 * 1024 * 1024),
        ("1TiB", 1 << 40),
        ("1MB", 1_000_000),
        ("4KB", 4000),
        ("3GB", 3_000_000_000),
        ("4096", 4096),
        ("10B", 10),
        ("0", 0),
        ("1.5KiB", 1536),
        (" 64KiB ", 65536),
    ])
    func parsesValid(_ text: String, _ expected: Int64) {
        #expect(ByteSize.parse(text) == expected)
    }

    @Test("rejects what is not a size", arguments: [
        "lots", "", "KiB", "-1KiB", "512kib", "512 kilobytes", "1e30B", "2GiBs", "0x10", "infKiB", "12XB",
    ])
    func rejectsInvalid(_ text: String) {
        #expect(ByteSize.parse(text) == nil)
    }

    @Test("formats compactly in binary units", arguments: [
        (Int64(512), "512B"),
        (1024, "1KiB"),
        (1536, "1.5KiB"),
        (512 * 1024, "512KiB"),
        (16 << 20, "16MiB"),
        (2 << 30, "2GiB"),
    ])
    func formats(_ bytes: Int64, _ expected: String) {
        #expect(ByteSize.format(bytes) == expected)
    }

    @Test("format output parses back to the same size for whole units")
    func roundTrip() {
        var rng = CoreSplitMix64(seed: 0xB17E5)
        for _ in 0..<1000 {
            let bytes = Int64.random(in: 1...1023, using: &rng) << [0, 10, 20, 30, 40].randomElement(using: &rng)!
            #expect(ByteSize.parse(ByteSize.format(bytes)) == bytes, "\(bytes)")
        }
    }

    @Test(.disabled("bug: ByteSize.swift:16 Int64(trimmed) accepts a negative plain number ('-1' parses as -1) while '-1KiB' is rejected"))
    func negativePlainNumberIsRejected() {
        #expect(ByteSize.parse("-1") == nil)
    }
}
