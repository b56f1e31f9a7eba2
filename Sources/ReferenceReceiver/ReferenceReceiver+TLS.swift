import HummingbirdCore
import HummingbirdTLS
import NIOSSL

extension ReferenceReceiver {
    /// HTTPS for the receiver: its certificate and key, and optionally a CA that client certificates must chain
    /// to (mutual TLS: a client without a certificate signed by that CA is refused in the handshake).
    public struct TLSFiles: Sendable {
        public var certFile: String
        public var keyFile: String
        public var caFile: String?

        public init(certFile: String, keyFile: String, caFile: String?) {
            self.certFile = certFile
            self.keyFile = keyFile
            self.caFile = caFile
        }

        /// Reads the files now, so a missing or unreadable one fails at start with its name.
        func serverConfiguration() throws -> TLSConfiguration {
            let chain: [NIOSSLCertificate]
            let key: NIOSSLPrivateKey
            do {
                chain = try NIOSSLCertificate.fromPEMFile(certFile)
            } catch {
                throw TLSFileProblem(description: "\(certFile): cannot read the certificate: \(error)")
            }
            do {
                key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
            } catch {
                throw TLSFileProblem(description: "\(keyFile): cannot read the private key: \(error)")
            }
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            if let caFile {
                configuration.trustRoots = .file(caFile)
                // Require a client certificate that chains to the CA; clients have no host name to check.
                configuration.certificateVerification = .noHostnameVerification
            }
            return configuration
        }
    }

    struct TLSFileProblem: Error, CustomStringConvertible {
        var description: String
    }

    /// Plain HTTP/1.1, or HTTP/1.1 over TLS when the receiver has TLS files.
    func serverBuilder() throws -> HTTPServerBuilder {
        guard let tls = options.tls else { return .http1() }
        return try .tls(.http1(), tlsConfiguration: tls.serverConfiguration())
    }

    /// `http://` or `https://`, for messages.
    public var scheme: String { options.tls == nil ? "http" : "https" }
}
