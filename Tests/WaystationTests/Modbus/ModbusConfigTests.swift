import Agent
import Foundation
import Testing
import WaystationCore
import WaystationTestSupport

/// Config and profile validation for Modbus devices: every problem once, as FILE:LINE:COL: path: message.
@Suite("Modbus: config and profile validation")
struct ModbusConfigTests {
    /// Writes `files` into a fresh directory and validates `waystation.yaml` there; `{DEVICES}` is the shipped profiles.
    static func issues(_ files: [String: String]) throws -> (directory: String, lines: [String]) {
        let directory = try TestEnvironment.temporaryDirectory("modbus-config")
        for (name, text) in files {
            try text.replacingOccurrences(of: "{DEVICES}", with: TestEnvironment.devicesDirectory)
                .write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }
        do {
            _ = try ConfigLoader(path: directory + "/waystation.yaml").validate()
            return (directory, [])
        } catch {
            return (directory, error.issues.map(\.description))
        }
    }

    static let header = """
        gateway: { id: gw-1 }
        upstream: { url: "http://127.0.0.1:1/v1/events" }
        profiles: {DEVICES}
        devices:

        """

    @Test("device problems: endpoint scheme, serial settings, unit, interval, shared lines, keys of the other transport")
    func deviceProblems() throws {
        let config = Self.header + """
              - id: scale-1
                profile: modbus-scale
                endpoint: http://10.0.0.5:502
              - id: scale-2
                profile: modbus-scale
                endpoint: tpc://10.0.0.5:502
              - id: scale-3
                profile: modbus-scale
                endpoint: tcp://10.0.0.5:502
                unit: 0
                interval: 10ms
              - id: sensor-1
                profile: modbus-temp-humidity
                endpoint: rtu:///dev/ttyUSB0?baud=9601
              - id: sensor-2
                profile: modbus-temp-humidity
                endpoint: rtu:///dev/ttyUSB0?bad=9600
              - id: sensor-3
                profile: modbus-temp-humidity
                endpoint: rtu:///dev/ttyUSB1?baud=9600
                unit: 2
              - id: sensor-4
                profile: modbus-temp-humidity
                endpoint: rtu:///dev/ttyUSB1?baud=19200
                unit: 3
              - id: sensor-5
                profile: modbus-temp-humidity
                endpoint: rtu:///dev/ttyUSB1?baud=9600
                unit: 2
              - id: sensor-6
                profile: modbus-temp-humidity
                topic: warehouse/x
                endpoint: tcp://10.0.0.9
              - id: scanner-1
                profile: gs1-scanner
                topic: warehouse/dock1/+/scan
                unit: 4
              - id: sensor-7
                profile: modbus-temp-humidity
              - id: sensor-8
                profile: modbus-temp-humidity
                endpoint: tcp://10.0.0.9:502
                timeout: 30s
                set: { location: X, aset: Y }

            """
        let (directory, lines) = try Self.issues(["waystation.yaml": config])
        let file = directory + "/waystation.yaml"
        let usage = "use tcp://host:port or rtu:///dev/ttyUSB0?baud=9600&parity=N&data=8&stop=1"
        #expect(lines == [
            "\(file):7:15: devices[0].endpoint: 'http://10.0.0.5:502' is not a Modbus endpoint (did you mean 'tcp://'?); \(usage)",
            "\(file):10:15: devices[1].endpoint: 'tpc://10.0.0.5:502' is not a Modbus endpoint (did you mean 'tcp://'?); \(usage)",
            "\(file):14:11: devices[2].unit: 0 is out of range 1...247",
            "\(file):15:15: devices[2].interval: 10ms is below the minimum of 50ms",
            "\(file):18:15: devices[3].endpoint: baud '9601' is not one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600",
            "\(file):21:15: devices[4].endpoint: unknown serial setting 'bad' (did you mean 'baud'?); allowed: baud, parity, data, stop",
            "\(file):28:15: devices[6].endpoint: /dev/ttyUSB1 runs at 9600 8N1 for 'sensor-3' (line 22); one serial line has one set of settings",
            "\(file):33:11: devices[7].unit: unit 2 on rtu:///dev/ttyUSB1 is already device 'sensor-3' (line 22)",
            "\(file):36:12: devices[8].topic: has no meaning for a Modbus device (profile modbus-temp-humidity); it is polled at its endpoint",
            "\(file):41:11: devices[9].unit: has no meaning for an MQTT device (profile gs1-scanner); only Modbus devices are polled",
            "\(file):42:5: devices[10].endpoint: is required for a Modbus device (profile modbus-temp-humidity): tcp://host:port or rtu:///dev/ttyUSB0",
            "\(file):47:14: devices[11].timeout: 30s is above the maximum of 10s",
            "\(file):48:10: devices[11].set.aset: unknown key (did you mean 'asset'?); allowed for a Modbus device: location, zone, asset",
        ])
    }

    @Test("profile problems are reported in the profile file: unknown table and type, address range, overlap, bits, stable flag")
    func profileProblems() throws {
        let profile = """
            description: a broken scale
            transport: modbus
            registers:
              - name: weight
                table: holding
                address: 0
                type: float32
              - name: tare
                table: holding
                address: 2
                type: float
              - name: gross
                table: holdings
                address: 70000
                type: int16
              - name: net
                table: holding
                address: 1
                type: int16
              - name: door
                table: coil
                address: 0
                type: float32
              - name: count
                table: input
                address: 0
                type: uint16
                wordOrder: little
              - name: last
                table: input
                address: 65535
                type: uint32
            emit:
              whileStable: stabel

            """
        let config = Self.header.replacingOccurrences(of: "profiles: {DEVICES}", with: "profiles: [{DEVICES}, .]") + """
              - id: scale-1
                profile: bad-scale
                endpoint: tcp://10.0.0.5:502

            """
        let (directory, lines) = try Self.issues(["waystation.yaml": config, "bad-scale.yaml": profile])
        let file = directory + "/bad-scale.yaml"
        #expect(lines == [
            "\(directory)/waystation.yaml:6:14: devices[0].profile: profile 'bad-scale' (\(file)) is invalid",
            "\(file):11:11: registers[1].type: 'float' is not one of int16, uint16, int32, uint32, float32, bool (did you mean 'float32'?)",
            "\(file):13:12: registers[2].table: 'holdings' is not one of holding, input, coil, discrete (did you mean 'holding'?)",
            "\(file):14:14: registers[2].address: 70000 is out of range 0...65535",
            "\(file):18:14: registers[3].address: holding 1 overlaps 'weight' (holding 0..1, line 4)",
            "\(file):23:11: registers[4].type: a coil holds one bit: the type must be bool, not float32",
            "\(file):28:16: registers[5].wordOrder: has no meaning for a 16-bit uint16",
            "\(file):31:14: registers[6].address: a uint32 at 65535 runs past the last address 65535",
            "\(file):34:16: emit.whileStable: no register named 'stabel'",
        ])
    }

    @Test("a valid Modbus config binds endpoint, unit, interval, timeout and set; defaults apply")
    func validConfig() throws {
        let config = Self.header + """
              - id: scale-1
                profile: modbus-scale
                endpoint: tcp://10.0.0.5
                set: { location: PACK-1 }
              - id: sensor-1
                profile: modbus-temp-humidity
                endpoint: rtu:///dev/ttyUSB0?baud=19200&parity=e&data=8&stop=2
                unit: 247
                interval: 50ms
                timeout: 200ms

            """
        let (directory, lines) = try Self.issues(["waystation.yaml": config])
        #expect(lines == [])
        let parsed = try ConfigLoader(path: directory + "/waystation.yaml").validate()
        #expect(parsed.devices.isEmpty)
        let scale = try #require(parsed.modbusDevices.first)
        #expect(scale.endpoint == .tcp(host: "10.0.0.5", port: 502))
        #expect(scale.unit == 1 && scale.interval == .seconds(1) && scale.timeout == .seconds(1))
        #expect(scale.set == ["location": "PACK-1"])
        let sensor = parsed.modbusDevices[1]
        #expect(sensor.endpoint == .rtu(.init(path: "/dev/ttyUSB0", baud: 19200, parity: .even, dataBits: 8, stopBits: 2)))
        #expect(sensor.endpoint.busKey == "rtu:///dev/ttyUSB0")
        #expect(sensor.unit == 247 && sensor.interval == .milliseconds(50) && sensor.timeout == .milliseconds(200))
    }
}
