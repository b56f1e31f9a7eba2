import Foundation
import Ingest
import Outbox
import Uplink
import WaystationCore

extension AgentRuntime {
    /// Gathers the state of every part; never throws — a part that cannot answer is reported as such.
    public func snapshot() async -> AgentSnapshot {
        let config = self.config
        let stats = try? await outbox.stats()
        let uplinkState = uplink.status.snapshot
        let lanes = Lane.allCases.map { lane -> AgentSnapshot.LaneState in
            let stored = stats?.lanes.first { $0.lane == lane.rawValue }
            let sent = uplinkState[lane]
            return AgentSnapshot.LaneState(
                lane: lane.rawValue, backlog: stored?.backlog ?? 0, backlogBytes: stored?.backlogBytes ?? 0,
                oldestUndeliveredAgeSeconds: stored?.oldestUndeliveredAgeSeconds,
                deliveredEvents: sent?.deliveredEvents ?? 0, deliveredBatches: sent?.deliveredBatches ?? 0,
                failures: sent?.failures ?? 0, lastError: sent?.lastError, authFailed: sent?.authFailed ?? false,
                lastDeliveryAt: sent?.lastDeliveryMillis.map(Timestamp.iso8601(millis:)), restarts: sent?.restarts ?? 0)
        }
        let mqttCounts = ingest.counters.snapshot
        let modbusCounts = modbus.counters.snapshot
        var devices = config.devices.map { device -> AgentSnapshot.DeviceState in
            let counts = mqttCounts[device.id]
            return AgentSnapshot.DeviceState(
                id: device.id, kind: "mqtt", accepted: counts?.accepted ?? 0, rejected: counts?.rejected ?? 0,
                duplicates: counts?.duplicates ?? 0, lastReading: counts?.lastReading,
                lastSeenAt: counts?.lastSeenMillis.map(Timestamp.iso8601(millis:)), lastError: counts?.lastReason, offline: false)
        }
        devices += config.modbusDevices.map { device -> AgentSnapshot.DeviceState in
            let counts = modbusCounts[device.id]
            return AgentSnapshot.DeviceState(
                id: device.id, kind: "modbus", accepted: counts?.measurements ?? 0, rejected: counts?.badData ?? 0, duplicates: 0,
                lastReading: nil, lastSeenAt: nil, lastError: counts?.lastError, offline: counts?.offline ?? false)
        }
        return AgentSnapshot(
            gateway: config.gateway.id, version: WaystationVersion.current, configVersion: configVersion,
            startedAt: Timestamp.iso8601(millis: startedAtMillis), floorConnected: ingest.isConnected,
            storeOpen: stats != nil, inputRefused: stats?.inputRefused, deadLetters: stats?.deadLetters ?? 0,
            totals: stats?.totals ?? [:], lanes: lanes, devices: devices)
    }

    /// Brings the Prometheus registry up to date with a snapshot and the parts' own counters.
    func updateMetrics(_ snapshot: AgentSnapshot, telemetry: Telemetry) {
        for (name, total) in snapshot.totals {
            let metric = "waystation_outbox_\(name.snakeCased)_total"
            telemetry.counter(metric, [], total: Int(total))
        }
        for lane in snapshot.lanes {
            let labels = [("lane", lane.lane)]
            telemetry.gauge("waystation_outbox_events", labels, Double(lane.backlog))
            telemetry.gauge("waystation_outbox_bytes", labels, Double(lane.backlogBytes))
            telemetry.gauge("waystation_outbox_oldest_undelivered_age_seconds", labels, lane.oldestUndeliveredAgeSeconds ?? 0)
            telemetry.counter("waystation_delivered_events_total", labels, total: lane.deliveredEvents)
            telemetry.counter("waystation_delivered_batches_total", labels, total: lane.deliveredBatches)
            telemetry.counter("waystation_uplink_restarts_total", labels, total: lane.restarts)
            telemetry.gauge("waystation_uplink_auth_failed", labels, lane.authFailed ? 1 : 0)
        }
        for (lane, state) in uplink.status.snapshot {
            for (kind, count) in state.failuresByClass {
                telemetry.counter("waystation_delivery_failures_total", [("lane", lane.rawValue), ("class", kind)], total: count)
            }
        }
        for device in snapshot.devices {
            let labels = [("device", device.id)]
            telemetry.counter("waystation_events_accepted_total", labels, total: device.accepted)
            telemetry.counter("waystation_inputs_rejected_total", labels, total: device.rejected)
            telemetry.counter("waystation_duplicates_total", labels, total: device.duplicates)
        }
        for (device, counts) in modbus.counters.snapshot {
            let labels = [("device", device)]
            telemetry.counter("waystation_modbus_polls_total", labels, total: counts.polls)
            telemetry.counter("waystation_modbus_errors_total", labels + [("kind", "failed")], total: counts.failedPolls)
            telemetry.counter("waystation_modbus_errors_total", labels + [("kind", "timeout")], total: counts.timeouts)
            telemetry.counter("waystation_modbus_errors_total", labels + [("kind", "exception")], total: counts.exceptions)
            telemetry.gauge("waystation_modbus_device_offline", labels, counts.offline ? 1 : 0)
        }
        telemetry.gauge("waystation_dead_letters", [], Double(snapshot.deadLetters))
        telemetry.gauge("waystation_input_refused", [], snapshot.inputRefused == nil ? 0 : 1)
        telemetry.gauge("waystation_mqtt_connected", [("broker", "floor")], snapshot.floorConnected ? 1 : 0)
        telemetry.gauge("waystation_config_version", [], Double(snapshot.configVersion))
        telemetry.gauge("waystation_store_open", [], snapshot.storeOpen ? 1 : 0)
    }
}

extension String {
    /// `deadLettered` → `dead_lettered`.
    var snakeCased: String {
        var output = ""
        for character in self {
            if character.isUppercase {
                output += "_" + character.lowercased()
            } else {
                output.append(character)
            }
        }
        return output
    }
}
