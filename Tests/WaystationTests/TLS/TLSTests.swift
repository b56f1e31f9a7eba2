import Foundation
import Testing
import WaystationTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// TLS against real servers on loopback, with certificates made by `openssl` for each test: mosquitto with
/// listeners that require client certificates, and the reference receiver serving HTTPS with mutual TLS.
@Suite("TLS: mqtts and https with a throwaway CA", .serialized)
struct TLSTests {
    /// One broken set-up and what the agent's log must say about it.
    struct Refusal: CustomStringConvertible {
        var description: String
        /// The whole agent config, with the broken TLS settings.
        var config: String
        var expected: [String]
    }

    /// For each refusal: reload into it, let the devices send 5 scans, expect the clear error and no delivery;
    /// reload the good config and expect those scans delivered, once. `sent`: scans the receiver holds already.
    private func refuseThenRecover(
        _ refusals: [Refusal], good: String, agent: AgentProcess, devices: ScanPublisher, receiver: Receiver, sent: Int
    ) async throws {
        var sent = sent
        for refusal in refusals {
            let offset = agent.log.count
            try agent.writeConfig(refusal.config)
            agent.signal(SIGHUP)
            #expect(await TestEnvironment.eventually(timeout: .seconds(10)) { agent.log(after: offset).contains("config reloaded") })
            // Devices keep scanning: the floor broker queues for the agent's session, or the outbox keeps them.
            try await devices.publish(sent..<(sent + 5))
            sent += 5
            let refused = await TestEnvironment.eventually(timeout: .seconds(30)) {
                let log = agent.log(after: offset)
                return refusal.expected.allSatisfy { log.contains($0) }
            }
            #expect(refused, "\(refusal): expected \(refusal.expected) in the log: \(agent.log(after: offset))")
            #expect(receiver.eventCount() == sent - 5, "\(refusal): delivered anyway")
            try agent.writeConfig(good)
            agent.signal(SIGHUP)
            #expect(await receiver.waitForEvents(sent) == sent, "\(refusal): scans sent while refused were not delivered after the fix")
        }
        #expect(Set(try receiver.events().map(\.id)).count == sent, "an event arrived twice")
    }

    @Test("Floor broker over mqtts with client certificates; wrong CA, expired, wrong host and no client certificate are refused, nothing lost")
    func floorBroker() async throws {
        let directory = try TestEnvironment.temporaryDirectory("tls-floor")
        let pki = try TestPKI(directory: directory + "/pki")
        let broker = try TLSBroker(directory: directory, pki: pki)
        let receiver = try Receiver(directory: directory)
        #expect(await broker.ready(), "mosquitto did not start: \(broker.log)")
        #expect(await receiver.ready())
        func config(_ tls: String, _ port: Int) -> String {
            AgentProcess.config(floorTLS: tls, broker: broker.url(port), upstream: receiver.url)
        }
        let good = AgentProcess.tlsSection(caFile: pki.caFile, client: pki.client)
        let agent = try AgentProcess(directory: directory, config: config(good, broker.tlsPort))
        try agent.start()
        #expect(await agent.connected(), "agent did not connect over TLS: \(agent.log)")
        let devices = ScanPublisher(port: broker.port, clientID: "floor-device")
        try await devices.publish(0..<20)
        #expect(await receiver.waitForEvents(20) == 20)
        let refusals = [
            Refusal(
                description: "wrong CA", config: config(AgentProcess.tlsSection(caFile: pki.otherCAFile, client: pki.client), broker.tlsPort),
                expected: ["TLS handshake failed", "not signed by the CA in tls.caFile"]),
            Refusal(
                description: "expired server certificate", config: config(good, broker.expiredPort),
                expected: ["TLS handshake failed", "has expired"]),
            Refusal(
                description: "wrong host name", config: config(good, broker.wrongHostPort),
                expected: ["TLS handshake failed", "does not name the host name"]),
            Refusal(
                description: "no client certificate", config: config(AgentProcess.tlsSection(caFile: pki.caFile, client: nil), broker.tlsPort),
                expected: ["TLS handshake failed", "client certificate"]),
        ]
        try await refuseThenRecover(
            refusals, good: config(good, broker.tlsPort), agent: agent, devices: devices, receiver: receiver, sent: 20)
        #expect(agent.isRunning)
        await agent.stop()
        await receiver.stop()
        await broker.stop()
    }

    @Test("https upstream with a CA file and client certificate; wrong CA, expired, wrong host and no client certificate are refused, the outbox keeps the events")
    func httpsUpstream() async throws {
        let directory = try TestEnvironment.temporaryDirectory("tls-https")
        let pki = try TestPKI(directory: directory + "/pki")
        let broker = try Broker(directory: directory)
        let receiver = try Receiver.https(directory: directory + "/good", pki: pki, server: pki.server)
        let expired = try Receiver.https(directory: directory + "/expired", pki: pki, server: pki.expiredServer)
        let wrongHost = try Receiver.https(directory: directory + "/wrong-host", pki: pki, server: pki.wrongHostServer)
        #expect(await broker.ready())
        for server in [receiver, expired, wrongHost] {
            #expect(await server.readyOverTLS(client: pki.client), "HTTPS receiver did not start: see \(server.directory)/receiver.log")
        }
        // AsyncHTTPClient reports a failed handshake when the request times out: keep that short here.
        func config(_ url: String, _ tls: String) -> String {
            AgentProcess.config(broker: broker.url, upstream: "url: \(url)\n  \(tls)").replacingOccurrences(of: "timeout: 5s", with: "timeout: 2s")
        }
        let client = AgentProcess.tlsSection(caFile: pki.caFile, client: pki.client)
        let agent = try AgentProcess(directory: directory, config: config(receiver.httpsURL(), client))
        try agent.start()
        #expect(await agent.connected())
        let devices = ScanPublisher(port: broker.port, clientID: "https-device")
        try await devices.publish(0..<20)
        #expect(await receiver.waitForEvents(20) == 20, "nothing delivered over HTTPS: \(agent.log)")
        let refusals = [
            Refusal(
                description: "wrong CA", config: config(receiver.httpsURL(), AgentProcess.tlsSection(caFile: pki.otherCAFile, client: pki.client)),
                expected: ["TLS handshake failed", "upstream.tls.caFile"]),
            Refusal(
                description: "expired server certificate", config: config(expired.httpsURL(), client), expected: ["TLS handshake failed", "expired"]),
            Refusal(
                description: "wrong host name", config: config(wrongHost.httpsURL(), client),
                expected: ["TLS handshake failed", "does not name the host name"]),
            Refusal(
                description: "no client certificate", config: config(receiver.httpsURL(), AgentProcess.tlsSection(caFile: pki.caFile, client: nil)),
                expected: ["TLS handshake failed", "requires a client certificate"]),
        ]
        try await refuseThenRecover(
            refusals, good: config(receiver.httpsURL(), client), agent: agent, devices: devices, receiver: receiver, sent: 20)
        #expect(expired.eventCount() == 0 && wrongHost.eventCount() == 0)
        #expect(try receiver.duplicatesSeen() == 0)
        await agent.stop()
        for server in [receiver, expired, wrongHost] { await server.stop() }
        await broker.stop()
    }

    @Test("MQTT upstream over mqtts with client certificates delivers every scan once")
    func mqttUpstream() async throws {
        let directory = try TestEnvironment.temporaryDirectory("tls-mqtt-up")
        let pki = try TestPKI(directory: directory + "/pki")
        let floor = try Broker(directory: directory)
        let centralDirectory = directory + "/central"
        try FileManager.default.createDirectory(atPath: centralDirectory, withIntermediateDirectories: true)
        let central = try TLSBroker(directory: centralDirectory, pki: pki)
        #expect(await floor.ready())
        #expect(await central.ready(), "central mosquitto did not start: \(central.log)")
        let receiver = try Receiver(
            directory: centralDirectory, arguments: ["--tls-ca", pki.caFile, "--tls-cert", pki.client.cert, "--tls-key", pki.client.key],
            mqtt: (broker: central.url(central.tlsPort), topic: "waystation/+/events"))
        #expect(await receiver.ready(), "receiver did not connect over TLS: see \(centralDirectory)/receiver.log")
        let upstream = "url: \"\(central.url(central.tlsPort, host: "localhost"))\"\n  topic: waystation/test-gw/events\n  "
            + AgentProcess.tlsSection(caFile: pki.caFile, client: pki.client)
        let agent = try AgentProcess(directory: directory, config: AgentProcess.config(broker: floor.url, upstream: upstream))
        try agent.start()
        #expect(await agent.connected())
        try await ScanPublisher(port: floor.port, clientID: "mqtts-device").publish(0..<50)
        #expect(await receiver.waitForEvents(50) == 50, "not delivered over mqtts: \(agent.log)")
        #expect(Set(try receiver.events().map(\.id)).count == 50)
        await agent.stop()
        await receiver.stop()
        await central.stop()
        await floor.stop()
    }
}
