import Testing

@testable import WaystationCore

@Suite("Core: TopicFilter")
struct CoreTopicFilterTests {
    @Test("valid subscription filters", arguments: [
        "warehouse/dock3/scanner/+/scan", "#", "+", "a/#", "+/+", "+/#", "/a", "a//b", "a/b/", "sport/tennis/player1",
        "a b/c", "ünïcode/+",
    ])
    func valid(_ filter: String) {
        #expect(TopicFilter.problem(filter) == nil)
    }

    @Test("invalid filters name the problem", arguments: [
        ("", "must not be empty"),
        ("$SYS/#", "must not start with '$' (broker-reserved topics)"),
        ("$share/group/a", "must not start with '$' (broker-reserved topics)"),
        ("warehouse/#/scan", "'#' must be a whole level and the last one"),
        ("a/b#", "'#' must be a whole level and the last one"),
        ("#/a", "'#' must be a whole level and the last one"),
        ("a/#/", "'#' must be a whole level and the last one"),
        ("##", "'#' must be a whole level and the last one"),
        ("a/+b", "'+' must be a whole level"),
        ("+a/b", "'+' must be a whole level"),
        ("a/++", "'+' must be a whole level"),
    ])
    func invalid(_ filter: String, _ problem: String) {
        #expect(TopicFilter.problem(filter) == problem)
    }

    @Test("a filter longer than MQTT allows is rejected")
    func tooLong() {
        #expect(TopicFilter.problem(String(repeating: "a", count: 65_535)) == nil)
        #expect(TopicFilter.problem(String(repeating: "a", count: 65_536)) == "is too long")
    }

    @Test("matching", arguments: [
        ("a/b", "a/b", true),
        ("a/b", "a/c", false),
        ("a/b/c", "a/b", false),
        ("a", "a/b", false),
        ("A/b", "a/b", false),
        ("warehouse/dock3/scanner/s-1/scan", "warehouse/dock3/scanner/+/scan", true),
        ("warehouse/dock3/scanner/s-1/raw", "warehouse/dock3/scanner/+/scan", false),
        ("warehouse/dock3/scanner/a/b/scan", "warehouse/dock3/scanner/+/scan", false),
        ("a//c", "a/+/c", true),
        ("a", "+", true),
        ("a/b", "+", false),
        ("/a", "+/a", true),
        ("a/b/c", "#", true),
        ("a", "a/#", true),
        ("a/b", "a/#", true),
        ("a/b/c", "a/#", true),
        ("b/a", "a/#", false),
        ("ab", "a/#", false),
        ("a/b", "a/+/#", true),
        ("a", "a/+/#", false),
        ("a/b/c/d", "+/b/+/#", true),
        ("a/b/", "a/b/", true),
        ("a/b", "a/b/", false),
    ])
    func matches(_ topic: String, _ filter: String, _ expected: Bool) {
        #expect(TopicFilter.matches(topic, filter: filter) == expected)
    }

    @Test
    func wildcardsDoNotMatchDollarTopics() {
        #expect(!TopicFilter.matches("$SYS/broker/load", filter: "#"))
        #expect(!TopicFilter.matches("$SYS/broker/load", filter: "+/broker/load"))
        #expect(TopicFilter.matches("$SYS/broker/load", filter: "$SYS/#"))
    }
}
