import Foundation

/// mosquitto with TLS listeners that all require a client certificate signed by the test CA:
/// `tlsPort` with the good server certificate, `expiredPort` and `wrongHostPort` with the broken ones.
public final class TLSBroker: Sendable {
    public let tlsPort: Int
    public let expiredPort: Int
    public let wrongHostPort: Int
    private let broker: ConfiguredBroker

    public init(directory: String, pki: TestPKI) throws {
        (tlsPort, expiredPort, wrongHostPort) = (TestEnvironment.freePort(), TestEnvironment.freePort(), TestEnvironment.freePort())
        let listeners = [(tlsPort, pki.server), (expiredPort, pki.expiredServer), (wrongHostPort, pki.wrongHostServer)].map { port, server in
            """
            listener \(port) 127.0.0.1
            allow_anonymous true
            cafile \(pki.caFile)
            certfile \(server.cert)
            keyfile \(server.key)
            require_certificate true
            """
        }
        broker = try ConfiguredBroker(directory: directory, name: "mosquitto-tls", listeners: listeners.joined(separator: "\n"))
    }

    /// The plain listener, for devices.
    public var port: Int { broker.port }

    /// `mqtts://HOST:PORT` of one of the TLS listeners.
    public func url(_ port: Int, host: String = "127.0.0.1") -> String { "mqtts://\(host):\(port)" }

    public func ready() async -> Bool { await broker.ready() }
    public var log: String { broker.log }
    public func stop() async { await broker.stop() }
}
