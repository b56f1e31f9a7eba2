import Foundation

extension Receiver {
    /// Starts `waystation receive` serving HTTPS with `server`, requiring client certificates signed by the test CA.
    public static func https(directory: String, pki: TestPKI, server: TestPKI.Pair) throws -> Receiver {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try Receiver(directory: directory, arguments: ["--tls-cert", server.cert, "--tls-key", server.key, "--tls-ca", pki.caFile])
    }

    /// The batch URL over HTTPS, by `host` (the certificates name 127.0.0.1 and localhost).
    public func httpsURL(host: String = "127.0.0.1") -> String { "https://\(host):\(port)/v1/events" }

    /// Waits until the HTTPS receiver answers; the probe presents the client certificate and, since the server
    /// certificate may be a deliberately broken one, does not check it.
    public func readyOverTLS(client: TestPKI.Pair) async -> Bool {
        await TestEnvironment.eventually(timeout: .seconds(15)) {
            let probe = ["-sfk", "--cert", client.cert, "--key", client.key, "https://127.0.0.1:\(port)/healthz"]
            return (try? TestEnvironment.run("/usr/bin/curl", probe).status) == 0
        }
    }
}

extension Receiver {
    /// Waits until the receiver holds `count` events (or `timeout` passes) and returns how many it holds.
    public func waitForEvents(_ count: Int, within timeout: Duration = .seconds(60)) async -> Int {
        _ = await TestEnvironment.eventually(timeout: timeout, interval: .milliseconds(200)) { eventCount() >= count }
        return eventCount()
    }
}

extension AgentProcess {
    /// `tls: {...}` for a config section, from the files that are given.
    public static func tlsSection(caFile: String?, client: TestPKI.Pair?) -> String {
        let files = [("caFile", caFile), ("certFile", client?.cert), ("keyFile", client?.key)]
            .compactMap { key, value in value.map { "\(key): \"\($0)\"" } }
        return "tls: { \(files.joined(separator: ", ")) }"
    }

    /// `config(...)` with the floor broker reached over TLS.
    public static func config(floorTLS: String, broker: String, upstream: String) -> String {
        config(broker: broker, upstream: upstream).replacingOccurrences(of: "keepAlive: 5s }", with: "keepAlive: 5s, \(floorTLS) }")
    }

    /// The log written since `offset` characters (what a run logged after a reload).
    public func log(after offset: Int) -> Substring {
        let text = log
        return text.dropFirst(min(offset, text.count))
    }
}
