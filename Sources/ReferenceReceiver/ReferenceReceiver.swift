import CompressNIO
import HTTPTypes
import Foundation
public import Hummingbird
public import Logging
import Synchronization
import WaystationCore

/// The reference upstream (DESIGN.md 3.5): accepts batches, dedupes by event id, stores what it accepts.
/// It is the executable spec of the ingest contract, and the upstream of the demo and the tests.
///
/// Test hooks (loopback only): `POST /admin/fault {"status":503,"count":5,"retryAfter":1,"delayMs":0}` makes
/// the next requests fail; `--reject-matching TEXT` refuses events whose JSON contains TEXT, per event;
/// `--poison-matching TEXT` refuses a whole batch with 422 and no detail; `--max-batch-events N` answers 413.
public struct ReferenceReceiver: Sendable {
    public struct Options: Sendable {
        public var host: String
        public var port: Int
        public var databasePath: String
        public var token: String?
        public var rejectMatching: String?
        /// Refuse a whole batch with 422 and no per-event detail if any event contains this text.
        public var poisonMatching: String?
        /// Answer 413 to batches of more events than this.
        public var maxBatchEvents: Int?
        public var path: String
        /// Serve HTTPS (and require client certificates when it names a CA).
        public var tls: TLSFiles?

        public init(
            host: String, port: Int, databasePath: String, token: String?, rejectMatching: String?,
            poisonMatching: String? = nil, maxBatchEvents: Int? = nil, path: String = "/v1/events", tls: TLSFiles? = nil
        ) {
            self.host = host
            self.port = port
            self.databasePath = databasePath
            self.token = token
            self.rejectMatching = rejectMatching
            self.poisonMatching = poisonMatching
            self.maxBatchEvents = maxBatchEvents
            self.path = path
            self.tls = tls
        }
    }

    struct Fault: Sendable {
        var status: Int
        var remaining: Int
        var retryAfter: Int?
        var delayMillis: Int
    }

    public let options: Options
    public let store: ReceiverStore
    let faults = Locked<Fault?>(nil)
    let logger: Logger

    public init(options: Options, logger: Logger) throws {
        self.options = options
        self.logger = logger
        store = try ReceiverStore(path: options.databasePath)
    }

    public func application() throws -> some ApplicationProtocol {
        let router = Router()
        router.post(RouterPath(options.path)) { request, _ in try await self.receive(request) }
        router.get("/stats") { _, _ in
            let totals = try await store.totals()
            return Self.json(.ok, String(decoding: try JSONEncoder().encode(totals), as: UTF8.self))
        }
        router.get("/healthz") { _, _ in Self.json(.ok, "{\"ok\":true}") }
        router.post("/admin/fault") { request, _ in try await self.setFault(request) }
        return Application(
            router: router, server: try serverBuilder(), configuration: .init(address: .hostname(options.host, port: options.port), serverName: "waystation-receiver"),
            logger: logger)
    }

    func receive(_ request: Request) async throws -> Response {
        var body = try await request.body.collect(upTo: 64 << 20)
        let key = request.headers[HTTPField.Name("Idempotency-Key")!]
        let gzip = request.headers[.contentEncoding] == "gzip"
        if let token = options.token, request.headers[.authorization] != "Bearer \(token)" {
            try await store.record(key: key, status: 401, events: 0, outcome: .init(), gzip: gzip)
            return Self.json(.unauthorized, "{\"error\":\"bad or missing bearer token\"}")
        }
        if let fault = takeFault() {
            if fault.delayMillis > 0 { try await Task.sleep(for: .milliseconds(fault.delayMillis)) }
            try await store.record(key: key, status: fault.status, events: 0, outcome: .init(), gzip: gzip)
            var response = Self.json(HTTPResponse.Status(code: fault.status), "{\"error\":\"injected fault\"}")
            if let retryAfter = fault.retryAfter { response.headers[.retryAfter] = String(retryAfter) }
            return response
        }
        if gzip {
            do {
                body = try body.decompress(with: .gzip(), maxSize: 256 << 20)
            } catch {
                return try await refuse(.badRequest, "body is not valid gzip: \(error)", key: key, gzip: gzip)
            }
        }
        let parsed: BatchBody
        do {
            parsed = try BatchBody.parse(body.readableBytesView)
        } catch {
            return try await refuse(.badRequest, "\(error)", key: key, gzip: gzip)
        }
        if let limit = options.maxBatchEvents, parsed.events.count > limit {
            return try await refuse(.contentTooLarge, "batch of \(parsed.events.count) events; at most \(limit)", key: key, gzip: gzip)
        }
        if let needle = options.poisonMatching, parsed.events.contains(where: { $0.body.contains(needle) }) {
            return try await refuse(.unprocessableContent, "batch refused: an event is invalid", key: key, gzip: gzip)
        }
        var rejected: [(String, String)] = []
        var accepted = parsed.events
        if let needle = options.rejectMatching {
            rejected = accepted.filter { $0.body.contains(needle) }.map { ($0.id, "contains '\(needle)'") }
            accepted.removeAll { $0.body.contains(needle) }
        }
        let outcome = try await store.store(accepted)
        try await store.record(key: key, status: 200, events: parsed.events.count, outcome: outcome, gzip: gzip)
        if outcome.outOfOrder > 0 {
            logger.error("events out of seq order", metadata: ["batch.key": "\(key ?? "-")", "count": "\(outcome.outOfOrder)"])
        }
        var answer = JSONObject()
        answer["accepted"] = .int(Int64(outcome.newEvents))
        answer["duplicates"] = .int(Int64(outcome.duplicates))
        answer["rejected"] = .array(rejected.map { .object(JSONObject([("id", .string($0.0)), ("reason", .string($0.1))])) })
        return Self.json(.ok, answer.encoded)
    }

    private func refuse(_ status: HTTPResponse.Status, _ message: String, key: String?, gzip: Bool) async throws -> Response {
        try await store.record(key: key, status: Int(status.code), events: 0, outcome: .init(), gzip: gzip)
        logger.warning("request refused", metadata: ["status": "\(status.code)", "reason": "\(message)"])
        return Self.json(status, JSONObject([("error", .string(message))]).encoded)
    }

    private func takeFault() -> Fault? {
        faults.withLock { fault in
            guard var current = fault, current.remaining > 0 else { return nil }
            current.remaining -= 1
            fault = current.remaining > 0 ? current : nil
            return current
        }
    }

    func setFault(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 4096)
        guard case .object(let object)? = try? JSONParser.parse(body.readableBytesView) else {
            return Self.json(.badRequest, "{\"error\":\"expected {status, count, retryAfter, delayMs}\"}")
        }
        func int(_ key: String) -> Int? { if case .int(let value)? = object[key] { Int(value) } else { nil } }
        let status = int("status") ?? 503
        let count = int("count") ?? Int.max
        faults.withLock { $0 = count > 0 ? Fault(status: status, remaining: count, retryAfter: int("retryAfter"), delayMillis: int("delayMs") ?? 0) : nil }
        return Self.json(.ok, "{\"ok\":true}")
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
