internal import CMosquitto

/// Turns what libmosquitto logs about a failed TLS handshake into one sentence an operator can act on.
///
/// With an asynchronous connect the handshake fails on the network thread after `mosquitto_connect_async`
/// returned, and libmosquitto reports it only through its log ("OpenSSL Error[0]: error:0A000086:SSL
/// routines::certificate verify failed"); OpenSSL's verify result, read in the same callback, says why.
enum MQTTTLSFailure {
    static let prefix = "TLS handshake failed: "
    /// OpenSSL verify results (`X509_V_ERR_*`) worth their own words.
    private static let unknownIssuer: Set<Int> = [2, 18, 19, 20, 21]
    private static let notYetValid = 9
    private static let expired = 10
    private static let hostnameMismatch = 62
    /// What libmosquitto's own host name check leaves behind when it fails.
    private static let unspecified = 1
    private static let wrongHost = prefix + "the broker's certificate does not name the host name in the URL"

    /// The reason for a libmosquitto error log line, or nil if it is not about TLS.
    static func describe(_ logLine: String, verifyResult: Int) -> String? {
        // libmosquitto checks the host name itself: it logs this line, then OpenSSL fails with "unspecified".
        if logLine.contains("host name verification failed") || verifyResult == unspecified { return wrongHost }
        guard logLine.hasPrefix("OpenSSL Error") || verifyResult != 0 else { return nil }
        // "OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed" → "certificate verify failed"
        let openSSL = logLine.split(separator: ":").last.map { String($0.drop(while: { $0 == " " })) } ?? logLine
        let why: String
        switch verifyResult {
        case 0:
            why = hint(forAlert: openSSL)
        case expired:
            why = "the broker's certificate has expired (or this gateway's clock is wrong)"
        case notYetValid:
            why = "the broker's certificate is not valid yet: is this gateway's clock set?"
        case hostnameMismatch:
            return wrongHost
        case let result where unknownIssuer.contains(result):
            why = "the broker's certificate is not signed by the CA in tls.caFile"
        default:
            why = "the broker's certificate was refused"
        }
        let verify = verifyResult == 0 ? "" : "; OpenSSL: \(String(cString: X509_verify_cert_error_string(verifyResult)))"
        return prefix + "\(why) (\(openSSL)\(verify))"
    }

    /// A TLS connection the broker closed before accepting it (`raw`: libmosquitto's words).
    static func closedBeforeAccepted(_ raw: String) -> String {
        prefix + "the broker closed the connection before accepting it: it may require a client certificate "
            + "(set tls.certFile and tls.keyFile) or refuse ours (\(raw))"
    }

    private static func hint(forAlert openSSL: String) -> String {
        if openSSL.contains("certificate required") {
            return "the broker requires a client certificate: set tls.certFile and tls.keyFile"
        }
        if openSSL.contains("unknown ca") || openSSL.contains("bad certificate") || openSSL.contains("certificate expired") {
            return "the broker refused our client certificate (tls.certFile): not signed by a CA it trusts, or expired"
        }
        if openSSL.contains("certificate verify failed") {
            return "the broker's certificate was refused: check tls.caFile and the host name in the URL"
        }
        return "check tls.caFile, tls.certFile and tls.keyFile"
    }
}
