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

/// Maps an MQTT device payload to a scan event as the device's profile describes.
public enum ScanMapping {
    public static func map(payload: [UInt8], device: DeviceBinding) -> Result<MappedMessage, Rejection> {
        let profile = device.profile.payload
        guard payload.count <= profile.maxBytes else {
            return .failure(Rejection("payload too large: \(payload.count) bytes, limit \(profile.maxBytes)"))
        }
        switch profile.format {
        case .text:
            guard let text = String(validating: payload, as: UTF8.self) else {
                return .failure(Rejection("payload is not UTF-8 text"))
            }
            let barcode = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return scan(barcode: barcode, quantity: nil, occurredAt: nil, mode: nil, location: nil, device: device)
                .map { MappedMessage(draft: $0, messageID: nil) }
        case .json:
            let document: JSONValue
            do {
                document = try JSONParser.parse(payload)
            } catch {
                return .failure(Rejection(error.description))
            }
            guard case .object = document else { return .failure(Rejection("payload is not a JSON object")) }
            do {
                let barcode = try text(profile.barcode, in: document, field: "barcode", required: true)
                let quantity = try number(profile.quantity, in: document, field: "quantity")
                let occurredText = try text(profile.occurredAt, in: document, field: "occurredAt", required: false)
                var occurredAt: Int64?
                if let occurredText {
                    guard let millis = Timestamp.parse(occurredText) else {
                        throw Rejection("occurredAt (\(profile.occurredAt!)): '\(occurredText.prefix(40))' is not an RFC 3339 timestamp")
                    }
                    occurredAt = millis
                }
                let messageID = try text(profile.messageID, in: document, field: "messageId", required: false, allowNumber: true)
                let mode = try text(profile.mode, in: document, field: "mode", required: false)
                let location = try text(profile.location, in: document, field: "location", required: false)
                return scan(
                    barcode: barcode ?? "", quantity: quantity, occurredAt: occurredAt, mode: mode, location: location,
                    device: device
                ).map { draft in
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

    private static func scan(
        barcode: String, quantity: JSONValue?, occurredAt: Int64?, mode: String?, location: String?,
        device: DeviceBinding
    ) -> Result<EventDraft, Rejection> {
        guard !barcode.isEmpty else { return .failure(Rejection("barcode is empty")) }
        guard barcode.utf8.count <= 256 else { return .failure(Rejection("barcode longer than 256 bytes")) }
        var subject = JSONObject()
        subject["barcode"] = .string(barcode)
        if let location = location ?? device.set["location"] { subject["location"] = .string(location) }
        var data = JSONObject()
        if let mode = mode ?? device.set["mode"] { data["mode"] = .string(mode) }
        if let quantity { data["quantity"] = quantity }
        if let uom = device.set["uom"] { data["uom"] = .string(uom) }
        return .success(EventDraft(type: .scan, device: device.id, occurredAtMillis: occurredAt, subject: subject, data: data))
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
        case .int, .double: return value
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
