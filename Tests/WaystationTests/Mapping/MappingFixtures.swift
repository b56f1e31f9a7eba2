import GS1
import Testing
import WaystationCore

/// Devices, barcodes and a one-line rendering of mapping results shared by the mapping tests.
enum MappingFixtures {
    static let today = CoreScanMappingTests.today

    /// Barcodes of every kind the mapping tells apart; check digits verified.
    enum Labels {
        /// SSCC pallet label, element string without a symbology identifier.
        static let sscc = "00340063810000000018"
        /// SSCC + content GTIN + count of 12, as GS1-128 with its symbology identifier.
        static let pallet = "]C1003400638100000000180204006381333931" + "3712"
        /// EAN-13 on a retail item.
        static let ean13 = "4006381333931"
        /// Case label: GTIN-14, expiry 2027-01-31, lot.
        static let caseLabel = "]C1011400638133393817270131" + "10ABC-1"
        /// Variable-measure item: GTIN, net weight 1.25 kg, best before, in the bracket form.
        static let variableMeasure = "(01)94006381000010(3103)001250(15)261130"
        /// GTIN with a variable count of 24 (AI 30), separated by GS.
        static let gtinWithCount = "]d2010400638133393130" + "24\u{1D}10L-7"
        /// Lot and expiry without a GTIN.
        static let lotOnly = "(17)270131(10)ABC"
        /// A location's GLN (AI 414).
        static let glnLocation = "(414)4006381000017"
        /// A location label that is not GS1 at all.
        static let location = "LOC-A1"
        /// DESIGN.md 3.4's SSCC, whose check digit should be 0.
        static let badSSCC = "00003456789012345675"
    }

    static func device(set: [String: String] = ["location": "DOCK-3"]) throws -> DeviceBinding {
        try CoreScanMappingTests.gs1Device(set: set)
    }

    /// A JSON payload for the gs1-scanner profile.
    static func payload(_ barcode: String, mode: String? = nil, quantity: String? = nil, messageID: String? = nil) -> String {
        var object = JSONObject()
        object["barcode"] = .string(barcode)
        if let quantity { object["qty"] = .string(quantity) }
        if let mode { object["mode"] = .string(mode) }
        if let messageID { object["msgId"] = .string(messageID) }
        return object.encoded
    }

    /// `TYPE SUBJECT DATA`, or `rejected: REASON`.
    static func render(_ result: Result<MappedMessage, Rejection>) -> String {
        switch result {
        case .success(let mapped): "\(mapped.draft.type.rawValue) \(mapped.draft.subject.encoded) \(mapped.draft.data.encoded)"
        case .failure(let rejection): "rejected: \(rejection.reason)"
        }
    }

    static func map(_ barcode: String, mode: String? = nil, quantity: String? = nil, device: DeviceBinding) -> Result<MappedMessage, Rejection> {
        CoreScanMappingTests.map(payload(barcode, mode: mode, quantity: quantity), device)
    }
}
