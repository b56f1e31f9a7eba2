import Synchronization
public import WaystationCore

/// Finds the device a floor topic belongs to. Swapped whole on reload, read on every message; answers are
/// remembered per topic (a floor has a bounded set of topics), and forgotten on reload.
public final class DeviceRouter: Sendable {
    private struct Table {
        var devices: [DeviceBinding]
        var byTopic: [String: DeviceBinding?] = [:]
    }

    private let table: Mutex<Table>
    /// Topics remembered at most; beyond it the memory starts over (a misbehaving publisher's random topics).
    private static let rememberedTopics = 4096

    public init(_ devices: [DeviceBinding]) { self.table = Mutex(Table(devices: devices)) }

    public func replace(_ devices: [DeviceBinding]) { table.withLock { $0 = Table(devices: devices) } }

    public var all: [DeviceBinding] { table.withLock { $0.devices } }

    /// The first configured device whose topic filter matches; config order breaks ties.
    public func device(for topic: String) -> DeviceBinding? {
        table.withLock { table in
            if let known = table.byTopic[topic] { return known }
            let device = table.devices.first { TopicFilter.matches(topic, filter: $0.topic) }
            if table.byTopic.count >= Self.rememberedTopics { table.byTopic.removeAll(keepingCapacity: true) }
            table.byTopic[topic] = .some(device)
            return device
        }
    }
}
