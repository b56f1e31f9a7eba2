import AsyncHTTPClient
import CompressNIO
import Foundation
public import Logging
import NIOCore
import NIOPosix
import NIOSSL
public import Outbox
import WaystationCore

/// Delivers sealed batches to the HTTPS upstream (DESIGN.md 3.5) and classifies the answer.
public final class HTTPSink: BatchSink {
    public struct Settings: Sendable, Equatable {
        public var url: String
        public var token: String?
        public var timeout: Duration
        public var caFile: String?
        public var certFile: String?
        public var keyFile: String?

        public init(url: String, token: String?, timeout: Duration, caFile: String?, certFile: String?, keyFile: String?) {
            self.url = url
            self.token = token
            self.timeout = timeout
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
        }
    }

    /// Bodies larger than this are sent gzip-compressed.
    public static let gzipThreshold = 1024
    public static let userAgent = "waystation/\(WaystationVersion.current)"

    /// The one event loop thread of the agent's HTTP traffic, shared by this client and the local endpoint
    /// (metrics, health, status). NIO's singleton group starts a thread per core, each with its own stack and
    /// malloc arena, for what is one upstream connection and the odd scrape; the gzip and JSON work of a batch
    /// runs on the caller's task, not on the loop. Lives as long as the process, like NIO's singleton.
    public static let eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    public let settings: Settings
    private let client: HTTPClient
    private let logger: Logger

    public init(settings: Settings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        var tls: TLSConfiguration?
        if settings.url.hasPrefix("https://") {
            var configuration = TLSConfiguration.makeClientConfiguration()
            if let caFile = settings.caFile { configuration.trustRoots = .file(caFile) }
            if let certFile = settings.certFile {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certFile).map { .certificate($0) }
            }
            if let keyFile = settings.keyFile {
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
            }
            tls = configuration
        }
        let timeout = TimeAmount.milliseconds(settings.timeout.milliseconds)
        client = HTTPClient(
            eventLoopGroupProvider: .shared(Self.eventLoopGroup),
            configuration: HTTPClient.Configuration(
                tlsConfiguration: tls, timeout: .init(connect: timeout, read: timeout)))
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    public func deliver(_ batch: SealedBatch) async -> DeliveryOutcome {
        var request = HTTPClientRequest(url: settings.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: Self.userAgent)
        request.headers.add(name: "Idempotency-Key", value: batch.idempotencyKey)
        if let token = settings.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        var body = ByteBuffer(bytes: batch.body)
        if body.readableBytes > Self.gzipThreshold {
            do {
                body = try body.compress(with: .gzip())
                request.headers.add(name: "Content-Encoding", value: "gzip")
            } catch {
                logger.warning("gzip failed; sending uncompressed", metadata: ["error": "\(error)"])
                body = ByteBuffer(bytes: batch.body)
            }
        }
        request.body = .bytes(body)
        do {
            let response = try await client.execute(request, timeout: .milliseconds(settings.timeout.milliseconds))
            let answer = try await response.body.collect(upTo: 4 << 20)
            return classify(status: Int(response.status.code), body: answer, retryAfter: response.headers.first(name: "Retry-After"))
        } catch {
            return .retry(reason: "\(settings.url): \(Self.describe(error))", retryAfter: nil)
        }
    }

    func classify(status: Int, body: ByteBuffer, retryAfter: String?) -> DeliveryOutcome {
        let delay = retryAfter.flatMap { RetryAfter.parse($0) }
        switch status {
        case 200..<300:
            return .delivered(refused: Self.refusals(in: body))
        case 409:
            return .delivered(refused: [])
        case 401, 403:
            return .authFailed(reason: "HTTP \(status) from \(settings.url)")
        case 413:
            return .tooLarge(reason: "HTTP 413 from \(settings.url)")
        case 400, 422:
            let excerpt = String(decoding: body.readableBytesView.prefix(500), as: UTF8.self)
            return .poison(reason: "HTTP \(status) from \(settings.url)\(excerpt.isEmpty ? "" : ": \(excerpt)")")
        default:
            // 408, 425, 429 and 5xx are transient by contract; any other answer is retried slowly too, because
            // dropping is never the safe choice. The same sealed batch goes again.
            let excerpt = String(decoding: body.readableBytesView.prefix(200), as: UTF8.self)
            return .retry(reason: "HTTP \(status) from \(settings.url)\(excerpt.isEmpty ? "" : ": \(excerpt)")", retryAfter: delay)
        }
    }

    /// `{"rejected":[{"id":…,"reason":…}]}` in a 2xx body.
    static func refusals(in body: ByteBuffer) -> [EventRefusal] {
        guard body.readableBytes > 0, let document = try? JSONParser.parse(body.readableBytesView),
            case .object(let object) = document, case .array(let items)? = object["rejected"]
        else { return [] }
        return items.compactMap { item in
            guard case .object(let entry) = item, let id = entry["id"]?.stringValue else { return nil }
            return EventRefusal(id: id, reason: entry["reason"]?.stringValue ?? "refused by upstream")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let tls = describeTLS(error) { return tls }
        if let error = error as? HTTPClientError { return "\(error)" }
        return String(describing: error)
    }
}
