import Foundation

extension HTTPSink {
    /// What BoringSSL and NIOSSL report, and what the operator should check.
    private static let tlsFailures: [(code: String, why: String)] = [
        ("CERTIFICATE_VERIFY_FAILED",
         "the upstream's certificate was refused: not signed by the CA in upstream.tls.caFile, expired, or not valid yet (is this gateway's clock set?)"),
        ("failedToValidateHostname", "the upstream's certificate does not name the host name in upstream.url"),
        ("CERTIFICATE_REQUIRED", "the upstream requires a client certificate: set upstream.tls.certFile and upstream.tls.keyFile"),
        ("UNKNOWN_CA", "the upstream refused our client certificate (upstream.tls.certFile): not signed by a CA it trusts"),
        ("BAD_CERTIFICATE", "the upstream refused our client certificate (upstream.tls.certFile)"),
        ("CERTIFICATE_EXPIRED", "the upstream refused our client certificate (upstream.tls.certFile): expired"),
        ("CERTIFICATE_UNKNOWN", "the upstream refused our client certificate (upstream.tls.certFile)"),
    ]

    /// A TLS failure as one sentence naming the config fields to check, or nil for any other error.
    static func describeTLS(_ error: any Error) -> String? {
        let text = String(describing: error)
        if let failure = tlsFailures.first(where: { text.contains($0.code) }) {
            return "TLS handshake failed: \(failure.why) (\(failure.code))"
        }
        guard text.contains("NIOSSL") || text.contains("BoringSSL") else { return nil }
        // Other TLS errors keep BoringSSL's words, without the source path it appends.
        let words = text.components(separatedBy: " at /").first ?? text
        return "TLS handshake failed: \(words)"
    }
}
