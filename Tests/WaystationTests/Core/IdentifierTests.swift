import Testing

@testable import WaystationCore

@Suite("Core: gateway/device ids and broker URLs")
struct CoreIdentifierTests {
    @Test("valid ids", arguments: ["dc-east-01", "a", "0", "gateway-01", "9-lives", String(repeating: "a", count: 64), "a-"])
    func validIDs(_ id: String) {
        #expect(GatewayID.isValid(id))
    }

    @Test("invalid ids", arguments: [
        "", "-dc", "DC-EAST", "dc_east", "dc.east", "dc east", "dc/east", "dé", String(repeating: "a", count: 65),
        "dc-east-01\n",
    ])
    func invalidIDs(_ id: String) {
        #expect(!GatewayID.isValid(id))
    }

    @Test("broker URLs", arguments: [
        ("mqtt://127.0.0.1:1883", false, "127.0.0.1", 1883),
        ("mqtt://broker.local", false, "broker.local", 1883),
        ("mqtts://broker.local", true, "broker.local", 8883),
        ("mqtts://central.example.com:8883/", true, "central.example.com", 8883),
        ("mqtt://[::1]:18830", false, "::1", 18830),
        ("mqtt://[fe80::1]", false, "fe80::1", 1883),
    ])
    func brokerURL(_ text: String, _ tls: Bool, _ host: String, _ port: Int) throws {
        let url = try #require(BrokerURL(text))
        #expect(url.tls == tls)
        #expect(url.host == host)
        #expect(url.port == port)
        #expect(BrokerURL(url.description) == url)
    }

    @Test("not broker URLs", arguments: [
        "http://broker:1883", "tcp://broker:1883", "mqtt://", "mqtt://:1883", "mqtt://broker:0", "mqtt://broker:65536",
        "mqtt://broker:port", "mqtt://broker/path", "mqtt://[::1", "mqtt://[::1]x", "broker:1883",
    ])
    func invalidBrokerURL(_ text: String) {
        #expect(BrokerURL(text) == nil)
    }

    @Test("did-you-mean suggestions pick the closest known word, or none")
    func suggestions() {
        #expect(Suggestion.closest(to: "upstrem", in: ["gateway", "upstream", "state"]) == "upstream")
        #expect(Suggestion.closest(to: "maxEvent", in: ["maxEvents", "maxBytes", "linger"]) == "maxEvents")
        #expect(Suggestion.closest(to: "GATEWAY", in: ["gateway", "state"]) == "gateway")
        #expect(Suggestion.closest(to: "zzzzzz", in: ["gateway", "state"]) == nil)
        #expect(Suggestion.closest(to: "x", in: []) == nil)
    }
}
