/// What a scanner is used for at the moment (a device's `mode`: from the payload, else `set: {mode: …}`).
/// With the kind of barcode read, it decides the event a scan becomes (DESIGN.md 3.4).
public enum ScanMode: String, Sendable, CaseIterable {
    case receive, pick, pack, load, depart, deliver, adjust, count

    /// The mode a device reported, matched without regard to case or surrounding spaces; `nil` for any other
    /// text, which leaves the scan a plain `scan`.
    public init?(reported text: String) {
        self.init(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased())
    }

    /// The milestone an SSCC scanned in this mode records; `nil` where an SSCC scan is no milestone.
    public var milestone: String? {
        switch self {
        case .receive: "received"
        case .pick: "picked"
        case .pack: "packed"
        case .load: "loaded"
        case .depart: "departed"
        case .deliver: "delivered"
        case .adjust, .count: nil
        }
    }

    /// How a GTIN scanned in this mode changes stock; `nil` where a GTIN scan is no adjustment.
    var adjustment: AdjustmentSign? {
        switch self {
        case .receive: .increase
        case .pick: .decrease
        case .adjust: .asGiven
        case .pack, .load, .depart, .deliver, .count: nil
        }
    }

    /// The sign of an inventory adjustment's `delta`.
    enum AdjustmentSign {
        /// Stock goes up by the quantity's magnitude.
        case increase
        /// Stock goes down by the quantity's magnitude.
        case decrease
        /// The quantity is the signed delta.
        case asGiven
    }
}

import Foundation
