import Foundation
public import Logging
import WaystationCore

/// One log record per line on stdout: JSON for journald and log shippers, or plain text for people.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public let label: String
    public let json: Bool

    public init(label: String, level: Logger.Level, json: Bool) {
        self.label = label
        self.logLevel = level
        self.json = json
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let time = Timestamp.iso8601(millis: Timestamp.nowMillis())
        var line: String
        if json {
            var object = JSONObject()
            object["time"] = .string(time)
            object["level"] = .string(event.level.rawValue)
            object["msg"] = .string(event.message.description)
            for key in merged.keys.sorted() { object[key] = .string("\(merged[key]!)") }
            line = object.encoded
        } else {
            line = "\(time) \(event.level.rawValue.uppercased()) \(event.message)"
            for key in merged.keys.sorted() { line += " \(key)=\(merged[key]!)" }
        }
        line += "\n"
        FileHandle.standardOutput.write(Data(line.utf8))
    }
}

extension AgentConfig.LogLevel {
    public var loggerLevel: Logger.Level {
        switch self {
        case .trace: .trace
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        case .critical: .critical
        }
    }
}
