public import Logging
import Modbus
public import Outbox
public import ServiceLifecycle
import Synchronization
public import WaystationCore

/// Polls the Modbus devices of the config and commits what they read to the outbox.
///
/// Devices are grouped by bus — one `ModbusBus` (one thread, one libmodbus context) per TCP endpoint and per
/// serial port — and every poll comes back here through one stream: the profile's emit rules turn it into
/// measurement events, failures into `device.status` events and, once per new problem, a `rejected` row.
public final class ModbusPolling: Service, Sendable {
    public let counters = ModbusCounters()
    private let outbox: Outbox
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var configured: [ModbusDeviceBinding]
        var devices: [String: ModbusDeviceState] = [:]
        var buses: [String: ModbusBus] = [:]
        var polls: AsyncStream<ModbusBus.Poll>.Continuation?
    }

    public init(devices: [ModbusDeviceBinding], outbox: Outbox, logger: Logger) {
        self.outbox = outbox
        self.logger = logger
        self.state = Mutex(State(configured: devices))
    }

    public func run() async throws {
        // Newest polls win if the outbox ever falls this far behind: a measurement is superseded by the next one.
        let (polls, continuation) = AsyncStream.makeStream(of: ModbusBus.Poll.self, bufferingPolicy: .bufferingNewest(4096))
        let devices = state.withLock { state in
            state.polls = continuation
            return state.configured
        }
        await apply(devices: devices)
        for await poll in polls.cancelOnGracefulShutdown() {
            await handle(poll)
        }
        let buses = state.withLock { state in
            defer {
                state.buses = [:]
                state.polls = nil
            }
            return Array(state.buses.values)
        }
        continuation.finish()
        for bus in buses { await bus.stop() }
        if !buses.isEmpty { logger.info("Modbus polling stopped", metadata: ["buses": "\(buses.count)"]) }
    }

    /// Applies a new device list: buses whose units changed are updated in place (units that stay keep their
    /// schedule), buses no longer used — or a serial port whose line settings changed — are closed first.
    public func apply(devices: [ModbusDeviceBinding]) async {
        let groups = Dictionary(grouping: devices, by: \.endpoint.busKey)
        let retired = state.withLock { state -> [ModbusBus] in
            state.configured = devices
            let kept = state.devices.filter { id, device in devices.contains { $0.id == id && $0 == device.device } }
            state.devices = Dictionary(uniqueKeysWithValues: devices.map { ($0.id, kept[$0.id] ?? ModbusDeviceState(device: $0)) })
            guard state.polls != nil else { return [] }
            let gone = state.buses.filter { key, bus in groups[key]?.first?.endpoint != bus.endpoint }
            for key in gone.keys { state.buses[key] = nil }
            return Array(gone.values)
        }
        for bus in retired { await bus.stop() }
        let started = state.withLock { state -> Int in
            guard let polls = state.polls else { return 0 }
            var started = 0
            for (key, group) in groups {
                let jobs = group.map(Self.job)
                if let bus = state.buses[key] {
                    bus.update(jobs)
                } else {
                    let bus = ModbusBus(endpoint: group[0].endpoint, jobs: jobs, logger: logger) { polls.yield($0) }
                    state.buses[key] = bus
                    bus.start()
                    started += 1
                }
            }
            return started
        }
        if started > 0 || !retired.isEmpty {
            logger.info(
                "Modbus polling started",
                metadata: ["devices": "\(devices.count)", "buses": "\(groups.count)", "busesStarted": "\(started)", "busesClosed": "\(retired.count)"])
        }
    }

    /// Totals of each bus: polls, requests, failures, reconnects.
    public var busStats: [String: ModbusBus.Stats] {
        state.withLock { $0.buses.mapValues(\.stats) }
    }

    static func job(_ device: ModbusDeviceBinding) -> ModbusBus.Job {
        ModbusBus.Job(
            device: device.id, unit: device.unit, interval: device.interval, timeout: device.timeout, blocks: device.profile.blocks)
    }

    private func handle(_ poll: ModbusBus.Poll) async {
        let handled = state.withLock { state -> (ModbusDeviceState.Outcome, String)? in
            guard var device = state.devices[poll.device] else { return nil }  // removed by a reload meanwhile
            let outcome = device.handle(poll)
            state.devices[poll.device] = device
            return (outcome, device.source)
        }
        guard let (outcome, source) = handled else { return }
        record(outcome, device: poll.device)
        log(outcome, device: poll.device, source: source)
        guard !outcome.inputs.isEmpty else { return }
        for result in await outbox.accept(outcome.inputs) {
            if case .failed(let reason) = result {
                logger.error("outbox refused a Modbus reading", metadata: ["device.id": "\(poll.device)", "reason": "\(reason)"])
            }
        }
    }

    private func record(_ outcome: ModbusDeviceState.Outcome, device: String) {
        counters.record(device) { counts in
            counts.polls += 1
            counts.measurements += outcome.measurements
            counts.badData += outcome.badData
            if outcome.wentOffline { counts.offline = true }
            if outcome.cameBack != nil { counts.offline = false }
            guard let error = outcome.error else { return }
            counts.failedPolls += 1
            counts.lastError = error.description
            switch error.kind {
            case .timeout: counts.timeouts += 1
            case .exception: counts.exceptions += 1
            default: break
            }
        }
    }

    private func log(_ outcome: ModbusDeviceState.Outcome, device: String, source: String) {
        if let problem = outcome.newProblem {
            logger.warning("Modbus device problem", metadata: ["device.id": "\(device)", "source": "\(source)", "reason": "\(problem)"])
        }
        if outcome.wentOffline {
            logger.warning("Modbus device offline; backing off", metadata: ["device.id": "\(device)", "source": "\(source)"])
        }
        if let back = outcome.cameBack {
            logger.info(
                "Modbus device back online",
                metadata: ["device.id": "\(device)", "failedPolls": "\(back.failedPolls)", "offlineForMs": "\(back.offlineFor.milliseconds)"])
        }
    }
}
