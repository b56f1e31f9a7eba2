import Synchronization
public import WaystationCore

/// Finds the device a floor topic belongs to. Swapped whole on reload, read on every message.
public final class DeviceRouter: Sendable {
    private let devices: Mutex<[DeviceBinding]>

    public init(_ devices: [DeviceBinding]) { self.devices = Mutex(devices) }

    public func replace(_ devices: [DeviceBinding]) { self.devices.withLock { $0 = devices } }

    public var all: [DeviceBinding] { devices.withLock { $0 } }

    /// The first configured device whose topic filter matches; config order breaks ties.
    public func device(for topic: String) -> DeviceBinding? {
        devices.withLock { devices in devices.first { TopicFilter.matches(topic, filter: $0.topic) } }
    }
}
