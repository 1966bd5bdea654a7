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
        let header = ["ADDRESS", "TIME LEFT", "TRIGGER", "WHEN", "HITS"]
        let rows = bans.sorted(by: BanEntry.byTimeLeft).map { ban in
            [ban.address,
             ban.expiresIn.map { BanDuration(seconds: max($0, 1)).description } ?? "never",
             trigger(ban),
             ban.bannedAt.map(time) ?? "-",
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
    private static func time(_ epochSeconds: Int64) -> String {
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
