import Control
import Firewall

/// An activity report as text: `stats` prints it once, `top` draws it each second. Probes and
/// bans per minute as sparklines (oldest left, the current minute right), the live bans by
/// origin, then the top sources and ports. Every line fits `width`; with `rows` (the live view)
/// the lists are cut to fit the screen and set side by side when there is room.
struct ActivityView {
    let report: ActivityReport
    /// Columns of the screen, or of the summary.
    var width: Int
    /// Rows of the screen; nil for the one-shot summary (every line).
    var rows: Int?
    /// The first line: what this is, and when.
    var title: String
    /// Block characters in the sparklines; ASCII ones otherwise.
    var unicode = true

    func lines() -> [String] {
        var lines = [title] + rates() + ["live bans: " + Self.origins(report.liveBans), "dropped:   " + Self.dropped(report.dropped)]
        let note = report.approximate
            ? ["counts are lower bounds: more distinct sources or ports than the daemon keeps per minute (a flood?)"] : []
        lines.append("")
        let room = rows.map { max(0, $0 - lines.count - note.count) }
        lines += tops(room: room) + note
        return Array(lines.map { Self.cut($0, to: width) }.prefix(rows ?? .max))
    }

    /// The two sparklines with their totals, and a time axis under them.
    private func rates() -> [String] {
        let span = min(report.probesPerMinute.count, max(width, 1))
        func rate(_ name: String, _ values: [Int]) -> [String] {
            let hour = values.reduce(0, +)
            let summary = "\(name) \(hour) in the last hour, \(values.last ?? 0) this minute, peak \(values.max() ?? 0)/min"
            return [summary, Sparkline.render(Array(values.suffix(span)), levels: unicode ? Sparkline.blocks : Sparkline.ascii)]
        }
        var lines = rate("probes:", report.probesPerMinute) + rate("bans:  ", report.bansPerMinute)
        let ago = "\(span) min ago"
        if span >= ago.count + 4 { lines.append(ago.padding(to: span - 3) + "now") }
        return lines
    }

    /// The top sources and ports: side by side on a screen wide enough, otherwise one after the
    /// other; with `room`, in that many lines at most.
    private func tops(room: Int?) -> [String] {
        let window = "\(report.topMinutes) MIN"
        let sources = report.topSources.map { ($0.address, $0.probes) }
        let ports = report.topPorts.map { ("\($0.proto)/\($0.port)", $0.probes) }
        guard let room else {
            return Self.table("TOP SOURCES, \(window)", sources) + [""] + Self.table("TOP PORTS, \(window)", ports)
        }
        let left = Self.table("TOP SOURCES, \(window)", sources, rows: max(0, room - 1))
        let right = Self.table("TOP PORTS, \(window)", ports, rows: max(0, room - 1))
        let leftWidth = left.map(\.count).max() ?? 0
        if leftWidth + 3 + (right.map(\.count).max() ?? 0) <= width {
            return (0..<max(left.count, right.count)).prefix(room).map { i in
                let l = i < left.count ? left[i] : ""
                return i < right.count ? l.padding(to: leftWidth + 3) + right[i] : l
            }
        }
        // One list after the other: the ports take up to half the room, the sources the rest.
        let portLines = Array(right.prefix(room / 2))
        return Array(Self.table("TOP SOURCES, \(window)", sources, rows: max(0, room - portLines.count - 1)).prefix(room - portLines.count))
            + portLines
    }

    /// A header and at most `rows` entries (name, count right-aligned under PROBES).
    private static func table(_ header: String, _ entries: [(String, Int)], rows: Int = .max) -> [String] {
        guard !entries.isEmpty else { return [header, "  no probes"] }
        let shown = entries.prefix(rows)
        let counts = shown.map { String($0.1) }
        let nameWidth = max(header.count, shown.map(\.0.count).max() ?? 0)
        let countWidth = max("PROBES".count, counts.map(\.count).max() ?? 0)
        return [header.padding(to: nameWidth + 2) + "PROBES".leftPadded(to: countWidth, with: " ")]
            + zip(shown, counts).map { $0.0.padding(to: nameWidth + 2) + $1.leftPadded(to: countWidth, with: " ") }
    }

    /// `12 (probe 8, kernel 1, manual 2, fleet 0, restore 1)`.
    static func origins(_ b: BansByOrigin) -> String {
        "\(b.total) (probe \(b.probe), kernel \(b.kernel), manual \(b.manual), fleet \(b.fleet), restore \(b.restore))"
    }

    /// `IPv4 1234 packets (56.7 KiB), IPv6 0 packets (0 B)`.
    static func dropped(_ d: DroppedTraffic?) -> String {
        guard let d else { return "not counted by this backend" }
        func family(_ name: String, _ c: DropCount) -> String { "\(name) \(c.packets) packets (\(bytes(c.bytes)))" }
        return family("IPv4", d.ipv4) + ", " + family("IPv6", d.ipv6)
    }

    /// `512 B`, `56.7 KiB`, `3.0 GiB`.
    static func bytes(_ n: UInt64) -> String {
        guard n >= 1024 else { return "\(n) B" }
        var value = Double(n) / 1024
        var unit = 0
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        while (value * 10).rounded() >= 10_240, unit < units.count - 1 { value /= 1024; unit += 1 }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }

    private static func cut(_ line: String, to width: Int) -> String {
        line.count <= width ? line : String(line.prefix(max(0, width)))
    }
}
