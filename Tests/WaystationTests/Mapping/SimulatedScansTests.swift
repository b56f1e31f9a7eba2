import GS1
import Simulators
import Testing
import WaystationCore

/// What `waystation simulate scanner` publishes (and so what the demo delivers) is valid GS1 and maps to the
/// events the demo's modes promise.
@Suite("Mapping: simulated scanner barcodes")
struct SimulatedScansTests {
    @Test("every simulated barcode is valid GS1; at a loading dock SSCCs become milestones, at receiving GTINs adjustments")
    func simulatedBarcodes() throws {
        let factory = BarcodeFactory()
        var generator = CoreSplitMix64(seed: 7)
        let dock = try CoreScanMappingTests.gs1Device(set: ["location": "DOCK-1", "mode": "load"])
        var types: [String: Int] = [:]
        for index in 0..<4_000 {
            let barcode = factory.barcode(index, using: &generator)
            guard case .gs1 = ScanClassifier.classify(barcode, today: MappingFixtures.today) else {
                Issue.record("simulated barcode \(barcode) is not valid GS1")
                continue
            }
            let payload = ScannerSimulator.payload(index: index, barcode: barcode, clientID: "sim", mode: nil, millis: 1_795_341_600_000)
            let loading = try ScanMapping.map(payload: payload, device: dock, today: MappingFixtures.today).get().draft
            types[loading.type.rawValue, default: 0] += 1
            let receiving = try ScanMapping.map(
                payload: ScannerSimulator.payload(index: index, barcode: barcode, clientID: "sim", mode: "receive", millis: 0),
                device: dock, today: MappingFixtures.today
            ).get().draft
            #expect(receiving.type == (loading.type == .shipmentMilestone ? .shipmentMilestone : .inventoryAdjustment), "\(barcode)")
        }
        #expect(types == ["shipment.milestone": 2_000, "scan": 2_000], "SSCCs (plain and ]C1) load; EAN-13 and case labels stay scans")
    }
}
