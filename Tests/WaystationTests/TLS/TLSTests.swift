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
        /// The config section (floor or upstream) that is wrong.
        var section: String
        var expected: [String]
    }

    @Test("Floor broker over mqtts with client certificates; wrong CA, expired, wrong host and no client certificate are refused, nothing lost")
    func floorBroker() async throws {
        let directory = try TestEnvironment.temporaryDirectory("tls-floor")
        let pki = try TestPKI(directory: directory + "/pki")
        let broker = try TLSBroker(directory: directory, pki: pki)
        let receiver = try Receiver(directory: directory)
        #expect(await broker.ready(), "mosquitto did not start: \(broker.log)")
        #expect(await receiver.ready())
        let good = AgentProcess.tlsSection(caFile: pki.caFile, client: pki.client)
        let agent = try AgentProcess(
            directory: directory, config: AgentProcess.config(floorTLS: good, broker: broker.url(broker.tlsPort), upstream: receiver.url))
        try agent.start()
        #expect(await agent.connected(), "agent did not connect over TLS: \(agent.log)")
        let devices = ScanPublisher(port: broker.port, clientID: "floor-device")
        try await devices.publish(0..<20)
        #expect(await receiver.waitForEvents(20) == 20)

        let refusals: [(Refusal, url: String)] = [
            (Refusal(description: "wrong CA", section: AgentProcess.tlsSection(caFile: pki.otherCAFile, client: pki.client),
                     expected: ["TLS", "certificate verify failed", "floor.tls.caFile"]), broker.url(broker.tlsPort)),
            (Refusal(description: "expired server certificate", section: good, expected: ["TLS", "certificate has expired"]),
             broker.url(broker.expiredPort)),
            (Refusal(description: "wrong host name", section: good, expected: ["TLS", "certificate verify failed", "host name"]),
             broker.url(broker.wrongHostPort)),
            (Refusal(description: "no client certificate", section: AgentProcess.tlsSection(caFile: pki.caFile, client: nil),
                     expected: ["TLS", "certificate required"]), broker.url(broker.tlsPort)),
        ]
        var sent = 20
        for (refusal, url) in refusals {
            let offset = agent.log.count
            try agent.writeConfig(AgentProcess.config(floorTLS: refusal.section, broker: url, upstream: receiver.url))
            agent.signal(SIGHUP)
            let refused = await TestEnvironment.eventually(timeout: .seconds(20)) {
                let log = agent.log(after: offset)
                return refusal.expected.allSatisfy { log.contains($0) }
            }
            #expect(refused, "\(refusal): expected \(refusal.expected) in the log: \(agent.log(after: offset))")
            #expect(!agent.log(after: offset).contains("MQTT connected"), "\(refusal): connected anyway")
            // Devices keep scanning; the broker queues for the agent's persistent session.
            try await devices.publish(sent..<(sent + 5))
            sent += 5
            try agent.writeConfig(AgentProcess.config(floorTLS: good, broker: broker.url(broker.tlsPort), upstream: receiver.url))
            agent.signal(SIGHUP)
            #expect(await receiver.waitForEvents(sent) == sent, "\(refusal): scans sent while refused were not delivered after the fix")
        }
        let events = try receiver.events()
        #expect(Set(events.map(\.id)).count == sent)
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
        func upstream(_ url: String, _ tls: String) -> String { "url: \(url)\n  \(tls)" }
        let good = upstream(receiver.httpsURL(), AgentProcess.tlsSection(caFile: pki.caFile, client: pki.client))
        let agent = try AgentProcess(directory: directory, config: AgentProcess.config(broker: broker.url, upstream: good))
        try agent.start()
        #expect(await agent.connected())
        let devices = ScanPublisher(port: broker.port, clientID: "https-device")
        try await devices.publish(0..<20)
        #expect(await receiver.waitForEvents(20) == 20, "nothing delivered over HTTPS: \(agent.log)")

        let refusals = [
            Refusal(
                description: "wrong CA", section: upstream(receiver.httpsURL(), AgentProcess.tlsSection(caFile: pki.otherCAFile, client: pki.client)),
                expected: ["TLS handshake failed", "certificate", "upstream.tls.caFile"]),
            Refusal(
                description: "expired server certificate", section: upstream(expired.httpsURL(), AgentProcess.tlsSection(caFile: pki.caFile, client: pki.client)),
                expected: ["TLS handshake failed", "expired"]),
            Refusal(
                description: "wrong host name", section: upstream(wrongHost.httpsURL(), AgentProcess.tlsSection(caFile: pki.caFile, client: pki.client)),
                expected: ["TLS handshake failed", "host name"]),
            Refusal(
                description: "no client certificate", section: upstream(receiver.httpsURL(), AgentProcess.tlsSection(caFile: pki.caFile, client: nil)),
                expected: ["TLS handshake failed", "certificate"]),
        ]
        var sent = 20
        for refusal in refusals {
            let offset = agent.log.count
            try agent.writeConfig(AgentProcess.config(broker: broker.url, upstream: refusal.section))
            agent.signal(SIGHUP)
            #expect(await TestEnvironment.eventually(timeout: .seconds(10)) { agent.log(after: offset).contains("config reloaded") })
            try await devices.publish(sent..<(sent + 5))
            sent += 5
            let refused = await TestEnvironment.eventually(timeout: .seconds(30)) {
                let log = agent.log(after: offset)
                return refusal.expected.allSatisfy { log.contains($0) }
            }
            #expect(refused, "\(refusal): expected \(refusal.expected) in the log: \(agent.log(after: offset))")
            #expect(receiver.eventCount() == sent - 5, "\(refusal): delivered anyway")
            try agent.writeConfig(AgentProcess.config(broker: broker.url, upstream: good))
            agent.signal(SIGHUP)
            #expect(await receiver.waitForEvents(sent) == sent, "\(refusal): the outbox did not deliver after the fix")
        }
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
