#if canImport(Glibc)
import Glibc
#endif
import Control
import FoundationEssentials
import PortsentryCore

/// Text that portsentry-ctl prints for people, and JSON for scripts.
enum Formatting {
    static func status(_ s: StatusReport) -> String {
        let method = s.method.map { "\(s.mode) (\($0))" } ?? s.mode
        let mode = s.interfaces.isEmpty ? method : "\(method) on \(s.interfaces.joined(separator: ", "))"
        let uptime = BanDuration(seconds: UInt64(max(0, now() - s.startedAt))).description
        return """
            portsentry is running (pid \(s.pid))
              version:     \(s.version)
              config:      \(s.configFile)
              mode:        \(mode)
              backend:     \(s.backend)\(s.dryRun == true ? " (dry run: nothing is blocked, would-be bans are logged)" : "")
              protected:   \(s.protected ?? "unknown")
              kernel ban:  \(s.kernelBan ?? "unknown")
              bans:        \(s.bansIPv4) IPv4, \(s.bansIPv6) IPv6
              since start: \(s.eventsSinceStart) events, \(s.bansSinceStart) bans (started \(time(s.startedAt)), up \(uptime == "0" ? "0s" : uptime))
            """ + (s.fleet.map(fleet) ?? "")
    }

    /// The CrowdSec lines of `status` (no secrets: the report carries none).
    private static func fleet(_ f: FleetStatus) -> String {
        func when(_ t: Int64?) -> String { t.map(time) ?? "never" }
        let reach = f.reachable.map { $0 ? "reachable" : "unreachable" } ?? "not contacted yet"
        let origins = f.bansByOrigin.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return """

              crowdsec:    \(f.url) \(reach)\(f.lastError.map { " (\($0))" } ?? "")
              push:        \(f.push ? "on" : "off"); \(f.pushed) pushed, last \(when(f.lastPushAt)); queue \(f.queueDepth)\(f.queueDropped > 0 ? " (\(f.queueDropped) dropped)" : "")
              pull:        \(f.pull ? "on" : "off"); \(f.pulled) applied, \(f.refused) refused, \(f.invalid) invalid, last \(when(f.lastPullAt))
              fleet bans:  \(origins.isEmpty ? "none" : origins)
            """
    }

    /// The protected addresses, one per line with its reason.
    static func protected(_ entries: [ProtectedEntry]) -> String {
        guard !entries.isEmpty else { return "no protected addresses" }
        let width = entries.map(\.address.count).max() ?? 0
        return entries.map { "\($0.address.padding(to: width))  \($0.reason)" }.joined(separator: "\n")
    }

    /// The bans as a table sorted by time left; a sentence when there are none.
    static func table(_ bans: [BanEntry]) -> String {
        guard !bans.isEmpty else { return "no active bans" }
        let header = ["ADDRESS", "TIME LEFT", "TRIGGER", "WHEN", "BAN", "HITS"]
        let rows = bans.sorted(by: BanEntry.byTimeLeft).map { ban in
            [ban.address,
             ban.expiresIn.map { BanDuration(seconds: max($0, 1)).description } ?? "never",
             trigger(ban),
             ban.bannedAt.map(time) ?? "-",
             ban.offence.map { "#\($0)" } ?? "-",
             String(ban.hits)]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(to: widths[column])
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// One line per address of a block or unblock answer.
    static func results(_ results: [TargetResult]) -> String {
        results.map { r in
            let outcome = r.outcome == .notBanned ? "not banned" : r.outcome.rawValue
            return "\(r.address): \(outcome)" + (r.detail.map { " (\($0))" } ?? "")
        }.joined(separator: "\n")
    }

    /// `explain`'s answer for people: the live ban, the last ban with its rule, length and
    /// evidence, and whether the address is ignored or protected.
    static func explanation(_ e: Explanation) -> String {
        var lines: [String] = []
        func field(_ name: String, _ value: String) { lines.append("  " + (name + ":").padding(to: 13) + value) }
        let memory = BanDuration(seconds: e.offenceMemory)
        if let live = e.live {
            let left = live.expiresIn.map { "\(BanDuration(seconds: max($0, 1))) left (until \(time(live.expiresAt ?? 0)))" } ?? "never expires"
            lines.append("\(e.query): banned as \(live.target), \(left)")
        } else if let last = e.last {
            // No end reason yet: its time ran out before the daemon noted the expiry.
            let how = last.endReason.map { $0 == "expired" ? "expired" : "ended (\($0))" } ?? "expired"
            lines.append("\(e.query): not banned; its last ban \(how) \(last.endedAt.map(time) ?? last.expiresAt.map(time) ?? "")")
        } else {
            lines.append("\(e.query): not banned, and no ban of it is remembered (OFFENCE_MEMORY=\(memory))")
        }
        if let last = e.last {
            field("decided by", decidedBy(last))
            if let narrowed = last.narrowed { field("target", "\(last.target) only: \(narrowed)") }
            field("duration", duration(last))
            field("offences", "\(e.offences) remembered (OFFENCE_MEMORY=\(memory)); this was ban #\(last.offence)")
            field("banned at", time(last.decidedAt / 1000))
            if !last.probes.isEmpty {
                field("evidence", "\(last.probes.count) probe\(last.probes.count == 1 ? "" : "s") that counted, oldest first:")
                for p in last.probes {
                    let flags = p.flags.map { " flags \($0)" } ?? ""
                    lines.append("    \(time(p.time / 1000)).\(String(p.time % 1000).leftPadded(to: 3, with: "0"))  \(p.proto) \(p.port)  \(p.type)\(flags)  from \(p.source)\(p.interface.map { " on \($0)" } ?? "")")
                }
            }
        }
        if let live = e.live { field("since ban", "\(live.hits) probe\(live.hits == 1 ? "" : "s") from it dropped and counted") }
        field("ignored", e.ignored ? "yes (in the ignore file: probes never ban it)" : "no")
        field("protected", e.protected.map { "yes (\($0)): never banned" } ?? "no")
        return lines.joined(separator: "\n")
    }

    private static func decidedBy(_ b: Explanation.PastBan) -> String {
        let probe = b.trigger.map { "\($0.proto)/\($0.port) \($0.type)" } ?? "a probe"
        switch b.origin {
        case "kernel": return "\(b.rule ?? "SCAN_TRIGGER") on \(probe); banned by the kernel on the probe's own packet (KERNEL_BAN)"
        case "probe": return "\(b.rule ?? "SCAN_TRIGGER") on \(probe)"
        case "manual": return "portsentry-ctl block" + (b.reason.map { " (reason: \($0))" } ?? "")
        case "fleet": return "fleet ban from \(b.fleet ?? "the fleet")"
        default: return b.origin
        }
    }

    private static func duration(_ b: Explanation.PastBan) -> String {
        let length = b.seconds == 0 ? "no expiry" : BanDuration(seconds: b.seconds).description
        switch b.term {
        case "configured":
            guard let base = b.baseSeconds, let factor = b.factor, b.seconds != 0 else { return "\(length) (BAN_TIME)" }
            if b.offence == 1 || factor == 1 { return "\(length) (BAN_TIME)" }
            let grown = "BAN_TIME \(BanDuration(seconds: base)) × \(number(factor))^\(b.offence - 1) for offence #\(b.offence)"
            return "\(length) = \(grown)" + (b.capped == true ? ", capped at BAN_TIME_MAX" : "")
        case "requested": return "\(length) (asked for with --for)"
        case "fleet": return "\(length) (what the fleet's decision had left)"
        default: return length
        }
    }

    private static func number(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }

    /// Pretty-printed JSON with sorted keys.
    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    private static func trigger(_ ban: BanEntry) -> String {
        if let t = ban.trigger { return "\(t.proto)/\(t.port) \(t.type)" }
        if let fleet = ban.fleet { return "fleet: \(fleet)" }
        return ban.reason.map { "manual: \($0)" } ?? (ban.bannedAt == nil ? "-" : "manual")
    }

    /// Local time as `2026-11-22 00:50:01`.
    static func time(_ epochSeconds: Int64) -> String {
        var seconds = time_t(epochSeconds)
        var parts = tm()
        localtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let n = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M:%S", &parts)
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func now() -> Int64 { Int64(Glibc.time(nil)) }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    func leftPadded(to width: Int, with pad: Character) -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

extension Formatting {
    /// Prints block/unblock results; fails unless every address succeeded.
    static func report(_ results: [TargetResult]) throws(CtlFailure) {
        Output.line(Self.results(results))
        let unhandled = results.filter { !$0.succeeded }
        guard unhandled.isEmpty else {
            throw CtlFailure("\(unhandled.count) of \(results.count) address\(results.count == 1 ? "" : "es") not handled")
        }
    }
}
