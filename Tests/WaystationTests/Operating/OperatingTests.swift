import Foundation
import Testing
import WaystationTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// GET a local URL with curl; (status, body).
func httpGet(_ url: String) throws -> (status: Int, body: String) {
    let result = try TestEnvironment.run("/usr/bin/curl", ["-s", "-w", "\n%{http_code}", url])
    let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
    return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
}

/// The value of one sample line `name{labels} value` in a Prometheus exposition.
func sample(_ exposition: String, _ prefix: String) -> Double? {
    for line in exposition.split(separator: "\n") where line.hasPrefix(prefix + " ") {
        return Double(line.split(separator: " ").last ?? "")
    }
    return nil
}

@Suite("Operating: metrics, health, status page, systemd, status --watch", .serialized)
struct OperatingTests {
    @Test("/metrics reports per-device and per-lane figures with Prometheus names; the latency histogram counts every event")
    func metrics() async throws {
        let port = TestEnvironment.freePort()
        let harness = try await Harness.start("metrics") { broker, receiver in
            AgentProcess.config(broker: broker.url, upstream: receiver.url, metrics: "127.0.0.1:\(port)")
        }
        defer { Task { await harness.stop() } }
        try await ScanPublisher(port: harness.broker.port).publish(0..<250)
        #expect(await harness.delivered(250) == 250)
        let (status, body) = try httpGet("http://127.0.0.1:\(port)/metrics")
        #expect(status == 200)
        #expect(sample(body, "waystation_events_accepted_total{device=\"dock1-scanner\"}") == 250)
        #expect(sample(body, "waystation_delivered_events_total{lane=\"critical\"}") == 250)
        #expect(sample(body, "waystation_outbox_events{lane=\"critical\"}") == 0)
        #expect(sample(body, "waystation_outbox_accepted_total") == 250)
        #expect(sample(body, "waystation_delivery_latency_seconds_count{lane=\"critical\"}") == 250)
        #expect(sample(body, "waystation_mqtt_connected{broker=\"floor\"}") == 1)
        #expect(body.contains("# HELP waystation_outbox_oldest_undelivered_age_seconds"))
        for line in body.split(separator: "\n") where !line.hasPrefix("#") {
            let name = line.prefix { $0 != "{" && $0 != " " }
            #expect(name.hasPrefix("waystation_"), "every metric is namespaced: \(name)")
        }
        await harness.stop()
    }

    @Test("/healthz is alive; /readyz follows the floor broker and upstream credentials, with reasons")
    func healthTransitions() async throws {
        let port = TestEnvironment.freePort()
        let directory = try TestEnvironment.temporaryDirectory("ready-token")
        try "right\n".write(toFile: directory + "/receiver.token", atomically: true, encoding: .utf8)
        try "right\n".write(toFile: directory + "/agent.token", atomically: true, encoding: .utf8)
        let harness = try await Harness.start("ready", receiverArguments: ["--token-file", directory + "/receiver.token"]) { broker, receiver in
            AgentProcess.config(
                broker: broker.url, upstream: receiver.url, extraUpstream: "  tokenFile: \(directory)/agent.token", metrics: "127.0.0.1:\(port)")
        }
        defer { Task { await harness.stop() } }
        let url = "http://127.0.0.1:\(port)"
        #expect(try httpGet(url + "/healthz").status == 200)
        #expect(await TestEnvironment.eventually(timeout: .seconds(10)) { (try? httpGet(url + "/readyz").status) == 200 })

        await harness.broker.stop()
        #expect(await TestEnvironment.eventually(timeout: .seconds(15)) { (try? httpGet(url + "/readyz"))?.body.contains("floor: not connected") == true })
        #expect(try httpGet(url + "/readyz").status == 503)
        #expect(try httpGet(url + "/healthz").status == 200, "alive even when not ready")
        let broker = try Broker(directory: harness.broker.directory, port: harness.broker.port)
        #expect(await broker.ready())
        #expect(await TestEnvironment.eventually(timeout: .seconds(15)) { (try? httpGet(url + "/readyz").status) == 200 })

        try "wrong\n".write(toFile: directory + "/agent.token", atomically: true, encoding: .utf8)
        harness.agent.signal(SIGHUP)
        try await ScanPublisher(port: broker.port).publish(0..<5)
        #expect(await TestEnvironment.eventually(timeout: .seconds(15)) { (try? httpGet(url + "/readyz"))?.body.contains("auth-failed") == true })
        await broker.stop()
        await harness.stop()
    }

    @Test("The status page shows a technician the gateway, devices, lag and problems (rendered in headless Chromium)")
    func statusPage() async throws {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let browser = try #require(chromium, "Debian's chromium package is needed (scripts/install-deps installs it)")
        let port = TestEnvironment.freePort()
        let harness = try await Harness.start("page") { broker, receiver in
            AgentProcess.config(broker: broker.url, upstream: receiver.url, metrics: "127.0.0.1:\(port)")
        }
        defer { Task { await harness.stop() } }
        try await ScanPublisher(port: harness.broker.port).publish(0..<20)
        #expect(await harness.delivered(20) == 20)
        try harness.receiver.injectFault(status: 503, count: 1_000_000)
        try await ScanPublisher(port: harness.broker.port, clientID: "later").publish(0..<3)
        try await Task.sleep(for: .seconds(2))
        let screenshot = harness.directory + "/status.png"
        let render = try TestEnvironment.run(
            browser, ["--headless", "--no-sandbox", "--disable-gpu", "--screenshot=\(screenshot)", "--window-size=1200,900", "http://127.0.0.1:\(port)/"])
        #expect(FileManager.default.fileExists(atPath: screenshot), "\(render.output)")
        let dom = try TestEnvironment.run(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "http://127.0.0.1:\(port)/"])
        let text = dom.output
        #expect(text.contains("Waystation gateway"))
        #expect(text.contains("test-gw"))
        #expect(text.contains("dock1-scanner"))
        #expect(text.contains("4006381333931</td>"), "the device's last reading")
        #expect(text.contains("RETRYING"), "the page says delivery is failing")
        #expect(text.contains("HTTP 503"), "the last delivery error a technician should see")
        #expect(text.contains("<td>critical</td><td class=\"num\">3</td>"), "three events waiting in the critical lane")
        #expect(!text.contains("http://") || text.contains("href=\"/metrics\""), "no external assets")
        print("status page screenshot: \(screenshot)")
        await harness.stop()
    }

    @Test("systemd: READY=1 once running, then WATCHDOG=1 at half the watchdog interval")
    func systemdNotify() async throws {
        let directory = try TestEnvironment.temporaryDirectory("notify")
        let socketPath = directory + "/notify.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in socketPath.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let harness = try await Harness.start("notify-run")
        defer { Task { await harness.stop() } }
        await harness.agent.stop()
        try harness.agent.start(environment: ["NOTIFY_SOCKET": socketPath, "WATCHDOG_USEC": "1000000"])
        var messages: [String] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline && messages.filter({ $0.contains("WATCHDOG=1") }).count < 2 {
            var buffer = [UInt8](repeating: 0, count: 512)
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 { messages.append(String(decoding: buffer[..<count], as: UTF8.self)) }
        }
        #expect(messages.first?.contains("READY=1") == true, "\(messages)")
        #expect(messages.filter { $0.contains("WATCHDOG=1") }.count >= 2, "\(messages)")
        await harness.stop()
    }

    @Test("status --watch prints plain lines when stdout is not a terminal")
    func statusWatch() async throws {
        let harness = try await Harness.start("watch")
        defer { Task { await harness.stop() } }
        try await ScanPublisher(port: harness.broker.port).publish(0..<10)
        #expect(await harness.delivered(10) == 10)
        let result = try TestEnvironment.run(
            TestEnvironment.binary, ["status", "--watch", "--count", "2", "--interval", "0.2", "--state-dir", harness.agent.stateDirectory])
        #expect(result.status == 0)
        let lines = result.output.split(separator: "\n")
        #expect(lines.count == 2, "\(result.output)")
        #expect(lines.allSatisfy { $0.contains("critical 0 waiting") && !$0.contains("\u{1B}[") })
        await harness.stop()
    }
}
