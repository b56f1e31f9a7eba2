import Testing

@testable import WaystationCore

@Suite("Core: ByteSize")
struct CoreByteSizeTests {
    static let validSizes: [(String, Int64)] = [
        ("512KiB", 512 * 1024),
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
    ]

    @Test("parses binary, decimal and plain sizes", arguments: validSizes)
    func parsesValid(_ text: String, _ expected: Int64) {
        #expect(ByteSize.parse(text) == expected)
    }

    @Test("rejects what is not a size", arguments: [
        "lots", "", "KiB", "-1KiB", "512kib", "512 kilobytes", "1e30B", "2GiBs", "0x10", "infKiB", "12XB",
    ])
    func rejectsInvalid(_ text: String) {
        #expect(ByteSize.parse(text) == nil)
    }

    static let formatted: [(Int64, String)] = [
        (512, "512B"),
        (1024, "1KiB"),
        (1536, "1.5KiB"),
        (512 * 1024, "512KiB"),
        (16 << 20, "16MiB"),
        (2 << 30, "2GiB"),
    ]

    @Test("formats compactly in binary units", arguments: formatted)
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

    @Test
    func negativePlainNumberIsRejected() {
        #expect(ByteSize.parse("-1") == nil)
    }
}
