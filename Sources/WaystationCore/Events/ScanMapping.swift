/// Why a device message could not become an event; stored in the `rejected` table.
public struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// A device message turned into an event draft, with the device's own message id for dedupe.
public struct MappedMessage: Sendable, Equatable {
    public var draft: EventDraft
    public var messageID: String?
}

/// Maps an MQTT device payload to a canonical event as the device's profile and mode describe; pure, so
/// every rule is tested without a broker. The rules are in `ScanMapping+Events.swift`.
public enum ScanMapping {
    /// `today` anchors the century of GS1 dates (YYMMDD): pass `today(atMillis: Timestamp.nowMillis())`.
    public static func map(payload: [UInt8], device: DeviceBinding, today: GS1Date) -> Result<MappedMessage, Rejection> {
        let profile = device.profile.payload
        guard payload.count <= profile.maxBytes else {
            return .failure(Rejection("payload too large: \(payload.count) bytes, limit \(profile.maxBytes)"))
        }
        switch profile.format {
        case .text:
            guard let text = String(validating: payload, as: UTF8.self) else {
                return .failure(Rejection("payload is not UTF-8 text"))
            }
            let reading = ScanReading(barcode: text.trimmingCharacters(in: .whitespacesAndNewlines))
            return draft(reading, device: device, today: today).map { MappedMessage(draft: $0, messageID: nil) }
        case .json:
            let document: JSONValue
            do {
                document = try JSONParser.parse(payload)
            } catch {
                return .failure(Rejection(error.description))
            }
            guard case .object = document else { return .failure(Rejection("payload is not a JSON object")) }
            do {
                var reading = ScanReading(barcode: try text(profile.barcode, in: document, field: "barcode", required: true) ?? "")
                reading.quantity = try number(profile.quantity, in: document, field: "quantity")
                if let occurredText = try text(profile.occurredAt, in: document, field: "occurredAt", required: false) {
                    guard let millis = Timestamp.parse(occurredText) else {
                        throw Rejection("occurredAt (\(profile.occurredAt!)): '\(occurredText.prefix(40))' is not an RFC 3339 timestamp")
                    }
                    reading.occurredAt = millis
                }
                let messageID = try text(profile.messageID, in: document, field: "messageId", required: false, allowNumber: true)
                reading.mode = try text(profile.mode, in: document, field: "mode", required: false)
                reading.location = try text(profile.location, in: document, field: "location", required: false)
                return draft(reading, device: device, today: today).map { draft in
                    var draft = draft
                    // The device's own message id travels with the event, so upstream can trace it to the device.
                    if let messageID { draft.data["messageId"] = .string(messageID) }
                    return MappedMessage(draft: draft, messageID: messageID)
                }
            } catch let rejection as Rejection {
                return .failure(rejection)
            } catch {
                return .failure(Rejection("\(error)"))
            }
        }
    }

    /// The earliest day taken as today: a gateway that booted without a real-time clock may think it is 1970,
    /// and would read expiry `270131` as 1927-01-31.
    public static let earliestToday = GS1Date(year: 2025, month: 1, day: 1)

    /// The UTC date of `millis` (the acceptance clock), or `earliestToday` if that is later.
    public static func today(atMillis millis: Int64) -> GS1Date {
        max(GS1Date(unixSeconds: Int(millis / 1000)), earliestToday)
    }

    private static func text(
        _ pointer: JSONPointer?, in document: JSONValue, field: String, required: Bool, allowNumber: Bool = false
    ) throws -> String? {
        guard let pointer else { return nil }
        guard let value = pointer.resolve(in: document), value != .null else {
            if required { throw Rejection("\(field) (\(pointer)) is missing") }
            return nil
        }
        switch value {
        case .string(let text): return text
        case .int(let number) where allowNumber: return String(number)
        default: throw Rejection("\(field) (\(pointer)) must be a string, got \(kind(of: value))")
        }
    }

    private static func number(_ pointer: JSONPointer?, in document: JSONValue, field: String) throws -> JSONValue? {
        guard let pointer, let value = pointer.resolve(in: document), value != .null else { return nil }
        switch value {
        case .int: return value
        case .double(let double):
            guard double.isFinite else { throw Rejection("\(field) (\(pointer)) is out of range") }
            return value
        case .string(let text):
            if let int = Int64(text) { return .int(int) }
            if let double = Double(text), double.isFinite { return .double(double) }
            throw Rejection("\(field) (\(pointer)): '\(text.prefix(40))' is not a number")
        default: throw Rejection("\(field) (\(pointer)) must be a number, got \(kind(of: value))")
        }
    }

    private static func kind(of value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

import Foundation
import GS1
