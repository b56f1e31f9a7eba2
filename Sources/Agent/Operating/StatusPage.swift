import Foundation
import WaystationCore

/// The page at `/` for a floor technician: one self-contained HTML document (no external assets) that
/// reloads itself every few seconds.
enum StatusPage {
    static func render(_ snapshot: AgentSnapshot, ready: Readiness, deliveryRate: Double?) -> String {
        let retrying = snapshot.lanes.contains { $0.backlog > 0 && $0.lastError != nil }
        let lagWarning = snapshot.lanes.contains { ($0.oldestUndeliveredAgeSeconds ?? 0) > 60 }
        let state = !ready.ready ? "ATTENTION" : retrying ? "RETRYING" : lagWarning ? "CATCHING UP" : "OK"
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="refresh" content="3">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Waystation \(escape(snapshot.gateway)) — \(state)</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1b1f23;background:#f6f8fa}
            h1{font-size:1.4rem;margin:0 0 .3rem} .sub{color:#57606a;margin-bottom:1rem}
            .state{display:inline-block;padding:.15rem .6rem;border-radius:1rem;font-weight:600;color:#fff}
            .OK{background:#1a7f37} .ATTENTION{background:#cf222e} .CATCHING,.RETRYING{background:#9a6700}
            table{border-collapse:collapse;margin:.5rem 0 1.2rem;background:#fff;min-width:40rem}
            th,td{border:1px solid #d0d7de;padding:.35rem .6rem;text-align:left;font-size:.95rem}
            th{background:#eaeef2} .bad{color:#cf222e;font-weight:600} .num{text-align:right}
            </style></head><body>
            <h1>Waystation gateway <span id="gateway">\(escape(snapshot.gateway))</span>
            <span class="state \(state.split(separator: " ").first!)" id="state">\(state)</span></h1>
            <div class="sub">agent \(escape(snapshot.version)) · config version \(snapshot.configVersion) · running since \(escape(snapshot.startedAt))
            · delivering \(deliveryRate.map { String(format: "%.1f", $0) } ?? "–") events/s</div>
            """
        if !ready.reasons.isEmpty {
            html += "<h2>Needs attention</h2><ul id=\"problems\">"
            for reason in ready.reasons { html += "<li class=\"bad\">\(escape(reason))</li>" }
            html += "</ul>"
        }
        html += "<h2>Sync lag</h2><table id=\"lanes\"><tr><th>lane</th><th>waiting</th><th>oldest waiting</th>"
        html += "<th>delivered</th><th>last delivery</th><th>last error</th></tr>"
        for lane in snapshot.lanes {
            let age = lane.oldestUndeliveredAgeSeconds.map(formatAge) ?? "nothing waiting"
            html += "<tr><td>\(lane.lane)</td><td class=\"num\">\(lane.backlog)</td><td>\(age)</td>"
            html += "<td class=\"num\">\(lane.deliveredEvents)</td><td>\(escape(lane.lastDeliveryAt ?? "–"))</td>"
            html += "<td\(lane.lastError == nil ? "" : " class=\"bad\"")>\(escape(lane.lastError ?? "–"))</td></tr>"
        }
        html += "</table><h2>Devices</h2><table id=\"devices\"><tr><th>device</th><th>kind</th><th>events</th>"
        html += "<th>rejected</th><th>last reading</th><th>last seen</th><th>last problem</th></tr>"
        for device in snapshot.devices {
            html += "<tr><td>\(escape(device.id))\(device.offline ? " <span class=\"bad\">offline</span>" : "")</td>"
            html += "<td>\(device.kind)</td><td class=\"num\">\(device.accepted)</td><td class=\"num\">\(device.rejected)</td>"
            html += "<td>\(escape(device.lastReading ?? "–"))</td><td>\(escape(device.lastSeenAt ?? "–"))</td>"
            html += "<td\(device.lastError == nil ? "" : " class=\"bad\"")>\(escape(device.lastError ?? "–"))</td></tr>"
        }
        html += "</table><div class=\"sub\">dead letters: \(snapshot.deadLetters) · "
        html += "rejected inputs: \(snapshot.totals["rejected"] ?? 0) · floor broker: "
        html += snapshot.floorConnected ? "connected" : "<span class=\"bad\">not connected</span>"
        html += " · <a href=\"/metrics\">metrics</a> · <a href=\"/status.json\">status.json</a></div></body></html>\n"
        return html
    }

    static func formatAge(_ seconds: Double) -> String {
        if seconds < 1 { return "under a second" }
        if seconds < 120 { return "\(Int(seconds)) s" }
        if seconds < 7200 { return "\(Int(seconds / 60)) min" }
        return String(format: "%.1f h", seconds / 3600)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
