import GS1

/// One read as the device's payload gave it, before it is classified.
struct ScanReading {
    var barcode: String
    /// `.int` or `.double`, as the payload had it.
    var quantity: JSONValue?
    var occurredAt: Int64?
    /// The payload's mode and location, which win over the device's `set:` values.
    var mode: String?
    var location: String?
}

extension ScanMapping {
    /// The most barcode text a scan may carry.
    static let maximumBarcodeBytes = 256

    /// The event a read becomes (DESIGN.md 3.4), or why it cannot become one:
    ///
    /// | barcode | mode | event |
    /// | --- | --- | --- |
    /// | GS1 with an SSCC | receive, pick, pack, load, depart, deliver | `shipment.milestone` (received … delivered) |
    /// | GS1 with a GTIN, no SSCC | receive (+), pick (−), adjust (as given) | `inventory.adjustment` |
    /// | GS1 with a GTIN or an SSCC | count | `inventory.count` |
    /// | GS1, any other combination; not GS1 with `nonGS1: scan` | any or none | `scan` |
    /// | invalid GS1; not GS1 with `nonGS1: reject` | | rejected with the reason |
    static func draft(_ reading: ScanReading, device: DeviceBinding, today: GS1Date) -> Result<EventDraft, Rejection> {
        let barcode = reading.barcode
        guard !barcode.isEmpty else { return .failure(Rejection("barcode is empty")) }
        guard barcode.utf8.count <= maximumBarcodeBytes else {
            return .failure(Rejection("barcode longer than \(maximumBarcodeBytes) bytes"))
        }
        let reportedMode = reading.mode ?? device.set["mode"]
        let mode = reportedMode.flatMap(ScanMode.init(reported:))
        let uom = device.set["uom"].map(JSONValue.string)
        var type = EventType.scan
        var subject = JSONObject()
        var data = JSONObject()
        switch ScanClassifier.classify(barcode, today: today) {
        case .invalid(let error):
            return .failure(Rejection("barcode \(displayed(barcode)): \(error)"))
        case .notGS1:
            guard device.profile.payload.nonGS1 == .scan else {
                return .failure(Rejection("barcode \(displayed(barcode)) is not GS1 (the profile has nonGS1: reject)"))
            }
            data["quantity"] = reading.quantity
            data["uom"] = uom
        case .gs1(let parsed):
            let fields = GS1EventFields(parsed)
            subject = fields.subject
            do {
                (type, data) = try typed(parsed, mode: mode, quantity: reading.quantity)
            } catch {
                return .failure(error)
            }
            // A unit of measure goes with a quantity; a milestone has none.
            if type != .shipmentMilestone { data["uom"] = uom }
            for (key, value) in fields.data.entries { data[key] = value }
        }
        if let location = reading.location ?? device.set["location"] { subject["location"] = .string(location) }
        subject["barcode"] = .string(barcode)
        if let reportedMode { data["mode"] = .string(mode?.rawValue ?? reportedMode) }
        return .success(EventDraft(type: type, device: device.id, occurredAtMillis: reading.occurredAt, subject: subject, data: data))
    }

    /// The type of a GS1 scan and the `data` fields that go with it, before the barcode's own attributes.
    private static func typed(
        _ barcode: GS1ElementString, mode: ScanMode?, quantity: JSONValue?
    ) throws(Rejection) -> (EventType, JSONObject) {
        var data = JSONObject()
        let labelCount = barcode.count.map { JSONValue.int(Int64($0)) }
        if let milestone = mode?.milestone, barcode.sscc != nil {
            data["milestone"] = .string(milestone)
            return (.shipmentMilestone, data)
        }
        if mode == .count, barcode.gtin != nil || barcode.sscc != nil {
            let counted = quantity ?? labelCount ?? .int(1)
            guard !isNegative(counted) else {
                throw Rejection("quantity \(counted.encoded): an inventory count cannot be negative")
            }
            data["quantity"] = counted
            return (.inventoryCount, data)
        }
        if let mode, let sign = mode.adjustment, barcode.gtin != nil, barcode.sscc == nil {
            let given = quantity ?? labelCount ?? .int(1)
            let delta: JSONValue
            switch sign {
            case .asGiven: delta = given
            case .increase: delta = try magnitude(given)
            case .decrease: delta = try negated(magnitude(given))
            }
            guard !isZero(delta) else {
                throw Rejection("quantity 0: an inventory adjustment needs a quantity other than 0 (mode \(mode.rawValue))")
            }
            data["delta"] = delta
            return (.inventoryAdjustment, data)
        }
        data["quantity"] = quantity
        return (.scan, data)
    }

    private static func magnitude(_ value: JSONValue) throws(Rejection) -> JSONValue {
        switch value {
        case .int(let number) where number == .min: throw Rejection("quantity \(number) out of range")
        case .int(let number): return .int(abs(number))
        case .double(let number): return .double(abs(number))
        default: return value
        }
    }

    private static func negated(_ value: JSONValue) -> JSONValue {
        switch value {
        case .int(let number): .int(-number)
        case .double(let number): .double(-number)
        default: value
        }
    }

    private static func isNegative(_ value: JSONValue) -> Bool {
        switch value {
        case .int(let number): number < 0
        case .double(let number): number < 0
        default: false
        }
    }

    private static func isZero(_ value: JSONValue) -> Bool {
        value == .int(0) || value == .double(0)
    }

    /// The barcode for a rejection reason: printable ASCII as is, anything else as `<U+001D>`, at most 64
    /// characters (the whole payload is kept in the `rejected` row).
    static func displayed(_ barcode: String) -> String {
        var text = ""
        for (index, scalar) in barcode.unicodeScalars.enumerated() {
            if index == 64 { return text + "…" }
            if (0x20...0x7E).contains(scalar.value) {
                text.unicodeScalars.append(scalar)
            } else {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                text += "<U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ">"
            }
        }
        return text
    }
}
