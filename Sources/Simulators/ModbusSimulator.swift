public import Modbus
import WaystationCore

/// `waystation simulate scale|sensor`: a Modbus server (TCP or a serial line) whose registers follow the
/// shipped profiles and change over time like the real devices do.
public struct ModbusSimulator: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Devices/modbus-scale.yaml: parcels put on and taken off, settling before the stable bit is set.
        case scale
        /// Devices/modbus-temp-humidity.yaml: a cold room drifting around 4 °C and 65 %RH.
        case sensor
    }

    public struct Options: Sendable {
        public var kind: Kind
        public var transport: ModbusServer.Transport
        public var units: [Int]
        public var seed: UInt64
        /// How often values change.
        public var tick: Duration

        public init(kind: Kind, transport: ModbusServer.Transport, units: [Int], seed: UInt64 = 1, tick: Duration = .milliseconds(100)) {
            self.kind = kind
            self.transport = transport
            self.units = units
            self.seed = seed
            self.tick = tick
        }
    }

    public let options: Options
    public let server: ModbusServer

    /// Binds the port (or opens the serial line) now, so a port in use is an error here.
    public init(options: Options) throws(ModbusError) {
        self.options = options
        self.server = try ModbusServer(options.transport, units: options.units, size: .init(holding: 16, input: 16))
    }

    /// Serves and changes values until the task is cancelled.
    public func run() async {
        server.start()
        var devices = options.units.map { unit in
            SimulatedDevice(kind: options.kind, generator: SplitMix64(seed: options.seed &+ UInt64(unit) &* 7919))
        }
        let tickSeconds = Double(options.tick.components.seconds) + Double(options.tick.components.attoseconds) / 1e18
        while !Task.isCancelled {
            for (index, unit) in options.units.enumerated() {
                devices[index].advance(seconds: tickSeconds)
                let device = devices[index]
                server.update(unit: unit) { device.write(to: $0) }
            }
            try? await Task.sleep(for: options.tick)
        }
        await server.stop()
    }
}

/// The state of one simulated unit.
struct SimulatedDevice {
    let kind: ModbusSimulator.Kind
    var generator: SplitMix64
    // Scale: a parcel cycle of empty → settling → stable → removing.
    var phase = 0
    var phaseLeft = 1.0
    var target: Float = 0
    var weight: Float = 0
    var stable = true
    // Sensor: tenths of °C and %RH.
    var temperature: Int16 = 40
    var humidity: UInt16 = 650

    init(kind: ModbusSimulator.Kind, generator: SplitMix64) {
        self.kind = kind
        self.generator = generator
    }

    mutating func advance(seconds: Double) {
        switch kind {
        case .scale: advanceScale(seconds)
        case .sensor:
            if Double.random(in: 0..<1, using: &generator) < seconds * 2 {
                temperature = max(-300, min(300, temperature + Int16.random(in: -1...1, using: &generator)))
                humidity = UInt16(max(200, min(950, Int(humidity) + Int.random(in: -3...3, using: &generator))))
            }
        }
    }

    private mutating func advanceScale(_ seconds: Double) {
        phaseLeft -= seconds
        if phaseLeft <= 0 {
            phase = (phase + 1) % 4
            switch phase {
            case 1:  // a parcel arrives
                target = Float((Double.random(in: 0.25...35, using: &generator) * 200).rounded() / 200)
                phaseLeft = 0.8
            case 2: phaseLeft = 2.5  // settled
            case 3: target = 0; phaseLeft = 0.4  // taken off
            default: phaseLeft = 1.5  // empty
            }
        }
        stable = phase == 0 || phase == 2
        if stable {
            weight = target
        } else {
            weight = max(0, target + Float(Double.random(in: -0.4...0.4, using: &generator)) * max(1, target / 10))
        }
    }

    func write(to bank: RegisterBank) {
        switch kind {
        case .scale:
            bank.setFloat32(.holding, 0, weight)
            bank.set(.holding, 2, [stable ? 1 : 0])
        case .sensor:
            bank.setInt16(.input, 0, temperature)
            bank.set(.input, 1, [humidity])
        }
    }
}

