public import WaystationCore

/// What fleet control needs from the agent it manages. The agent's wiring implements it; Fleet owns the
/// control connection, the signature and version rules, probation and the reports.
public protocol FleetHost: Sendable {
    /// A config ready to apply: validated, with its secrets read.
    associatedtype Candidate: Sendable

    /// The config running now; its control section holds the trusted keys in force.
    var running: Candidate { get }
    func config(of candidate: Candidate) -> AgentConfig

    /// Validates pushed config text exactly as `waystation config validate` does; issues name `label`.
    func validate(_ text: String, label: String) throws(ConfigIssues) -> AgentConfig
    /// Reads the secrets an effective config points at.
    func prepare(_ config: AgentConfig) throws -> Candidate
    /// Swaps devices and upstream settings without touching the outbox; on failure the old config stays.
    /// `version` is the remote config version (0: the local file).
    func apply(_ candidate: Candidate, version: Int64) async throws
    /// Runs `body` with every other config change (SIGHUP, `reload`) held until it returns.
    func exclusively<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T

    /// What the running parts report, for probation and the heartbeat.
    func health() async -> FleetHealth
    /// `cmd/flush`: deliver what is waiting now.
    func flush() async -> String
    /// `cmd/reload`: re-read the local file, its secrets and profiles, and apply the result.
    func reload() async throws -> String
}

/// A snapshot of the agent's connections, for probation and the heartbeat.
public struct FleetHealth: Sendable, Equatable {
    public struct Lane: Sendable, Equatable {
        public var deliveredBatches: Int
        public var failures: Int
        public var lastError: String?
        public var authFailed: Bool
        public var lastDeliveryMillis: Int64?

        public init(deliveredBatches: Int, failures: Int, lastError: String?, authFailed: Bool, lastDeliveryMillis: Int64?) {
            self.deliveredBatches = deliveredBatches
            self.failures = failures
            self.lastError = lastError
            self.authFailed = authFailed
            self.lastDeliveryMillis = lastDeliveryMillis
        }
    }

    public struct ModbusDevice: Sendable, Equatable {
        public var goodPolls: Int
        public var offline: Bool
        public var lastError: String?

        public init(goodPolls: Int, offline: Bool, lastError: String?) {
            self.goodPolls = goodPolls
            self.offline = offline
            self.lastError = lastError
        }
    }

    /// By lane name (`critical`, `bulk`).
    public var lanes: [String: Lane]
    public var floorConnected: Bool
    public var modbus: [String: ModbusDevice]
    /// Age of the oldest undelivered event, over all lanes.
    public var oldestUndeliveredSeconds: Double?

    public init(lanes: [String: Lane], floorConnected: Bool, modbus: [String: ModbusDevice], oldestUndeliveredSeconds: Double?) {
        self.lanes = lanes
        self.floorConnected = floorConnected
        self.modbus = modbus
        self.oldestUndeliveredSeconds = oldestUndeliveredSeconds
    }

    /// The upstream answered the last attempt of every lane.
    public var upstreamHealthy: Bool { lanes.values.allSatisfy { $0.lastError == nil && !$0.authFailed } }
}
