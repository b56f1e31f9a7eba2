import Foundation
import Testing
import WaystationCore
import WaystationTestSupport

/// Each shipped Modbus profile: a register dump in, the exact events out (the profile's golden case).
@Suite("Modbus: shipped profiles, golden cases")
struct ModbusProfileGoldenTests {
    /// One poll: seconds since the first one, and the words of every block the profile reads.
    typealias Step = (seconds: Double, blocks: ModbusBlockData)

    static func device(_ profileName: String, set: [String: String]) throws -> ModbusDeviceBinding {
        let path = TestEnvironment.devicesDirectory + "/\(profileName).yaml"
        let profile = try DeviceProfile.parse(String(contentsOfFile: path, encoding: .utf8), name: profileName, file: path)
        return ModbusDeviceBinding(
            id: "dev-1", profileName: profileName, profile: try #require(profile.modbus), endpoint: .tcp(host: "127.0.0.1", port: 502),
            set: set)
    }

    /// Runs the steps through the emitter; each event as `t=SECONDS TYPE SUBJECT DATA`, each rejection as `t=… rejected: …`.
    static func run(_ device: ModbusDeviceBinding, _ steps: [Step]) -> [String] {
        var emitter = MeasurementEmitter(device: device)
        var lines: [String] = []
        for step in steps {
            let millis = Int64(step.seconds * 1000)
            let output = emitter.poll(step.blocks, wallMillis: 1_800_000_000_000 + millis, now: .milliseconds(millis))
            for event in output.events {
                #expect(event.occurredAtMillis == 1_800_000_000_000 + millis)
                #expect(event.device == "dev-1")
                lines.append("t=\(step.seconds) \(event.type.rawValue) \(event.subject.encoded) \(event.data.encoded)")
            }
            lines += output.rejections.map { "t=\(step.seconds) rejected: \($0.reason)" }
        }
        return lines
    }

    @Test("modbus-scale: float32 weight emitted once stable, 5 g deadband, 5-minute heartbeat")
    func scale() throws {
        let device = try Self.device("modbus-scale", set: ["location": "PACK-1"])
        #expect(device.profile.blocks == [ModbusReadBlock(table: .holding, address: 0, count: 3)], "weight and status in one request")
        let block = ModbusReadBlock(table: .holding, address: 0, count: 3)
        let steps: [Step] = [
            (0.0, [block: [0x0000, 0x0000, 0x0001]]),  // empty, stable
            (0.2, [block: [0x4040, 0x0000, 0x0000]]),  // 3.0 kg, settling
            (0.4, [block: [0x4147, 0xAE14, 0x0000]]),  // 12.48 kg, settling
            (0.6, [block: [0x4147, 0xAE14, 0x0001]]),  // 12.48 kg, stable
            (0.8, [block: [0x4147, 0xBE77, 0x0001]]),  // 12.484 kg: 4 g, inside the deadband
            (1.0, [block: [0x4147, 0xD70A, 0x0001]]),  // 12.49 kg: 10 g from the last one sent
            (1.2, [block: [0x4147, 0xD70A, 0x0003]]),  // other status bits change nothing
            (301.2, [block: [0x4147, 0xD70A, 0x0001]]),  // unchanged for 5 minutes: heartbeat
            (301.4, [block: [0x3E99, 0x999A, 0x0000]]),  // parcel taken off, settling
            (301.6, [block: [0x0000, 0x0000, 0x0001]]),  // empty again
        ]
        #expect(Self.run(device, steps) == [
            #"t=0.0 measurement {"location":"PACK-1"} {"metric":"weight","value":0,"unit":"kg"}"#,
            #"t=0.6 measurement {"location":"PACK-1"} {"metric":"weight","value":12.48,"unit":"kg"}"#,
            #"t=1.0 measurement {"location":"PACK-1"} {"metric":"weight","value":12.49,"unit":"kg"}"#,
            #"t=301.2 measurement {"location":"PACK-1"} {"metric":"weight","value":12.49,"unit":"kg"}"#,
            #"t=301.6 measurement {"location":"PACK-1"} {"metric":"weight","value":0,"unit":"kg"}"#,
        ])
    }

    @Test("modbus-temp-humidity: int16 tenths, signed, deadbands, probe-fault marker, 1-minute heartbeat")
    func temperatureHumidity() throws {
        let device = try Self.device("modbus-temp-humidity", set: ["location": "COLD-1", "zone": "B"])
        let block = ModbusReadBlock(table: .input, address: 0, count: 2)
        #expect(device.profile.blocks == [block])
        let steps: [Step] = [
            (0, [block: [215, 473]]),  // 21.5 °C, 47.3 %RH
            (1, [block: [216, 474]]),  // +0.1 each: inside both deadbands
            (2, [block: [217, 484]]),  // +0.2 °C and +1.1 %RH since last sent
            (3, [block: [0xFF85, 484]]),  // -12.3 °C
            (4, [block: [0x8000, 484]]),  // -32768: probe fault
            (63.5, [block: [0xFF85, 484]]),  // unchanged for a minute: heartbeat for both
        ]
        #expect(Self.run(device, steps) == [
            #"t=0.0 measurement {"location":"COLD-1","zone":"B"} {"metric":"temperature","value":21.5,"unit":"°C"}"#,
            #"t=0.0 measurement {"location":"COLD-1","zone":"B"} {"metric":"humidity","value":47.3,"unit":"%RH"}"#,
            #"t=2.0 measurement {"location":"COLD-1","zone":"B"} {"metric":"temperature","value":21.7,"unit":"°C"}"#,
            #"t=2.0 measurement {"location":"COLD-1","zone":"B"} {"metric":"humidity","value":48.4,"unit":"%RH"}"#,
            #"t=3.0 measurement {"location":"COLD-1","zone":"B"} {"metric":"temperature","value":-12.3,"unit":"°C"}"#,
            "t=4.0 rejected: temperature (input 0): raw value -32768 means the device has no valid reading",
            #"t=63.5 measurement {"location":"COLD-1","zone":"B"} {"metric":"temperature","value":-12.3,"unit":"°C"}"#,
            #"t=63.5 measurement {"location":"COLD-1","zone":"B"} {"metric":"humidity","value":48.4,"unit":"%RH"}"#,
        ])
    }

    @Test("modbus-energy-meter: 32-bit values low word first, sampled once a minute whatever they do")
    func energyMeter() throws {
        let device = try Self.device("modbus-energy-meter", set: ["asset": "CHARGER-3"])
        let block = ModbusReadBlock(table: .input, address: 0, count: 6)
        #expect(device.profile.blocks == [block], "six adjacent input registers, one request")
        let steps: [Step] = [
            (0, [block: [2301, 1250, 0xFA24, 0xFFFF, 0xD687, 0x0012]]),  // 230.1 V, 12.5 A, -1500 W, 12345.67 kWh
            (30, [block: [2290, 800, 0x0640, 0x0000, 0xD6A0, 0x0012]]),  // changed, but the meter is sampled
            (60, [block: [2288, 810, 0x0654, 0x0000, 0xD6B4, 0x0012]]),  // 228.8 V, 8.1 A, 1620 W, 12346.12 kWh
        ]
        let subject = #"{"asset":"CHARGER-3"}"#
        #expect(Self.run(device, steps) == [
            #"t=0.0 measurement \#(subject) {"metric":"voltage","value":230.1,"unit":"V"}"#,
            #"t=0.0 measurement \#(subject) {"metric":"current","value":12.5,"unit":"A"}"#,
            #"t=0.0 measurement \#(subject) {"metric":"power","value":-1500,"unit":"W"}"#,
            #"t=0.0 measurement \#(subject) {"metric":"energy","value":12345.67,"unit":"kWh"}"#,
            #"t=60.0 measurement \#(subject) {"metric":"voltage","value":228.8,"unit":"V"}"#,
            #"t=60.0 measurement \#(subject) {"metric":"current","value":8.1,"unit":"A"}"#,
            #"t=60.0 measurement \#(subject) {"metric":"power","value":1620,"unit":"W"}"#,
            #"t=60.0 measurement \#(subject) {"metric":"energy","value":12346.12,"unit":"kWh"}"#,
        ])
    }

    @Test("every shipped Modbus profile has a documented header and parses")
    func shippedProfilesAreDocumented() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: TestEnvironment.devicesDirectory).filter { $0.hasPrefix("modbus-") }
        #expect(files.sorted() == ["modbus-energy-meter.yaml", "modbus-scale.yaml", "modbus-temp-humidity.yaml"])
        for file in files {
            let text = try String(contentsOfFile: TestEnvironment.devicesDirectory + "/" + file, encoding: .utf8)
            #expect(text.split(separator: "\n").prefix(5).allSatisfy { $0.hasPrefix("#") }, "\(file) starts with a comment block")
            _ = try Self.device(String(file.dropLast(5)), set: [:])
        }
    }
}
