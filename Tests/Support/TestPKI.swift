import Foundation

/// A throwaway certificate authority made with `openssl` in a test directory: a server certificate for
/// 127.0.0.1 and localhost, a client certificate, and the broken ones TLS must refuse (expired, wrong host name,
/// signed by another CA). EC P-256 keys, so making them all takes a fraction of a second.
public struct TestPKI: Sendable {
    /// A certificate and its private key (PEM files).
    public struct Pair: Sendable {
        public var cert: String
        public var key: String
    }

    public let directory: String
    /// The CA that signs everything below.
    public var caFile: String { directory + "/ca.pem" }
    /// Another CA, trusted by nobody here: "wrong CA" for clients and servers alike.
    public var otherCAFile: String { directory + "/other-ca.pem" }
    public var server: Pair { pair("server") }
    public var client: Pair { pair("client") }
    /// A server certificate for 127.0.0.1 and localhost whose validity ended yesterday.
    public var expiredServer: Pair { pair("expired") }
    /// A valid server certificate for `wrong.example` only.
    public var wrongHostServer: Pair { pair("wrong-host") }
    /// A client certificate signed by the other CA.
    public var foreignClient: Pair { pair("foreign-client") }

    /// Makes every file. Keys are mode 0600 except the servers', which are 0644 so that mosquitto, which
    /// drops root for its own user, can read them.
    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try makeCA("ca", name: "Waystation Test CA")
        try makeCA("other-ca", name: "Somebody Else's CA")
        let serverNames = "DNS:localhost,IP:127.0.0.1"
        try issue("server", by: "ca", subject: "localhost", altNames: serverNames, usage: "serverAuth", days: "2")
        try issue("expired", by: "ca", subject: "localhost", altNames: serverNames, usage: "serverAuth", days: "-1")
        try issue("wrong-host", by: "ca", subject: "wrong.example", altNames: "DNS:wrong.example", usage: "serverAuth", days: "2")
        try issue("client", by: "ca", subject: "test-gw", altNames: "DNS:test-gw", usage: "clientAuth", days: "2")
        try issue("foreign-client", by: "other-ca", subject: "test-gw", altNames: "DNS:test-gw", usage: "clientAuth", days: "2")
        for name in ["server", "expired", "wrong-host"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: pair(name).key)
        }
    }

    private func pair(_ name: String) -> Pair { Pair(cert: "\(directory)/\(name).pem", key: "\(directory)/\(name).key") }

    private func makeCA(_ name: String, name subject: String) throws {
        try openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-subj", "/CN=\(subject)", "-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).pem",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
    }

    private func issue(_ name: String, by ca: String, subject: String, altNames: String, usage: String, days: String) throws {
        let files = pair(name)
        let extensions = "\(directory)/\(name).ext"
        try """
            subjectAltName=\(altNames)
            basicConstraints=CA:FALSE
            keyUsage=critical,digitalSignature
            extendedKeyUsage=\(usage)

            """.write(toFile: extensions, atomically: true, encoding: .utf8)
        try openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=\(subject)",
            "-keyout", files.key, "-out", "\(directory)/\(name).csr",
        ])
        // `-days -1` puts notAfter a day before notBefore: expired from the start (OpenSSL 3.0 accepts it).
        try openssl([
            "x509", "-req", "-in", "\(directory)/\(name).csr", "-CA", "\(directory)/\(ca).pem", "-CAkey", "\(directory)/\(ca).key",
            "-set_serial", "\(UInt32.random(in: 1...UInt32.max))", "-days", days, "-extfile", extensions, "-out", files.cert,
        ])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: files.key)
    }

    private func openssl(_ arguments: [String]) throws {
        let result = try TestEnvironment.run("/usr/bin/openssl", arguments)
        guard result.status == 0 else {
            throw NSError(domain: "TestPKI", code: Int(result.status), userInfo: [NSLocalizedDescriptionKey: "openssl \(arguments[0]): \(result.output)"])
        }
    }
}
