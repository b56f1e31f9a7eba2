import Modbus
import Outbox
import WaystationCore

/// What one Modbus device has been doing, and what each poll of it turns into: measurement events, a
/// `device.status` event when it goes offline or comes back, and — once per new problem, not once per poll —
/// a row in the `rejected` table. Pure apart from the clock values that come in with the poll.
struct ModbusDeviceState {
    enum Health: String, Sendable {
        case unknown, online, offline
    }

    /// Failed polls in a row (timeouts, broken link) before the device is reported offline.
    static let offlineAfter = 3

    let device: ModbusDeviceBinding
    private(set) var emitter: MeasurementEmitter
    private(set) var health = Health.unknown
    private var failuresInARow = 0
    private var offlineSince: Duration?
    /// The problem last written to `rejected`; a new row is written only when it changes.
    private var lastProblem: String?

    /// Everything a poll leads to.
    struct Outcome {
        var inputs: [OutboxInput] = []
        /// A problem seen for the first time since the device last worked (to log and count once).
        var newProblem: String?
        var wentOffline = false
        var cameBack: (failedPolls: Int, offlineFor: Duration)?
        var measurements = 0
        var badData = 0
        var error: ModbusError?
    }

    init(device: ModbusDeviceBinding) {
        self.device = device
        self.emitter = MeasurementEmitter(device: device)
    }

    var source: String { "\(device.endpoint.busKey) unit \(device.unit)" }

    mutating func handle(_ poll: ModbusBus.Poll) -> Outcome {
        switch poll.result {
        case .success(let data): return succeeded(data, poll: poll)
        case .failure(let error): return failed(error, poll: poll)
        }
    }

    private mutating func succeeded(_ data: ModbusBlockData, poll: ModbusBus.Poll) -> Outcome {
        var outcome = Outcome()
        if health == .offline {
            outcome.cameBack = (failuresInARow, poll.monotonic - (offlineSince ?? poll.monotonic))
            outcome.inputs.append(.event(status("online", poll: poll, extra: [
                ("failedPolls", .int(Int64(failuresInARow))),
                ("offlineForMs", .int(outcome.cameBack!.offlineFor.milliseconds)),
            ]), dedupe: nil))
        }
        health = .online
        failuresInARow = 0
        offlineSince = nil
        let emitted = emitter.poll(data, wallMillis: poll.wallMillis, now: poll.monotonic)
        outcome.measurements = emitted.events.count
        outcome.inputs += emitted.events.map { .event($0, dedupe: nil) }
        outcome.badData = emitted.rejections.count
        let problem = emitted.rejections.isEmpty ? nil : "\(device.id): " + emitted.rejections.map(\.reason).joined(separator: "; ")
        if let problem, problem != lastProblem {
            outcome.newProblem = problem
            outcome.inputs.append(.rejected(RejectedInput(device: device.id, source: source, reason: problem, payload: Self.bytes(data))))
        }
        lastProblem = problem
        return outcome
    }

    private mutating func failed(_ error: ModbusError, poll: ModbusBus.Poll) -> Outcome {
        var outcome = Outcome()
        outcome.error = error
        let problem = error.description
        if problem != lastProblem {
            outcome.newProblem = problem
            outcome.inputs.append(.rejected(RejectedInput(device: device.id, source: source, reason: problem, payload: [])))
            lastProblem = problem
        }
        // A unit that answers with an exception is alive; only silence or a broken link counts towards offline.
        guard !error.unitAnswered else { return outcome }
        failuresInARow += 1
        if health != .offline && failuresInARow >= Self.offlineAfter {
            health = .offline
            offlineSince = poll.monotonic
            outcome.wentOffline = true
            outcome.inputs.append(.event(status("offline", poll: poll, extra: [
                ("reason", .string(error.reason)), ("failedPolls", .int(Int64(failuresInARow))),
            ]), dedupe: nil))
        }
        return outcome
    }

    private func status(_ state: String, poll: ModbusBus.Poll, extra: [(String, JSONValue)]) -> EventDraft {
        var subject = JSONObject()
        for key in ModbusDeviceBinding.subjectKeys {
            if let text = device.set[key] { subject[key] = .string(text) }
        }
        var data = JSONObject()
        data["state"] = .string(state)
        data["endpoint"] = .string(device.endpoint.busKey)
        data["unit"] = .int(Int64(device.unit))
        for (key, value) in extra { data[key] = value }
        return EventDraft(type: .deviceStatus, device: device.id, occurredAtMillis: poll.wallMillis, subject: subject, data: data)
    }

    /// The registers as read, big-endian, block after block: what the `rejected` row keeps for inspection.
    private static func bytes(_ data: ModbusBlockData) -> [UInt8] {
        data.keys.sorted { ($0.table, $0.address) < ($1.table, $1.address) }
            .flatMap { data[$0]!.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } }
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
