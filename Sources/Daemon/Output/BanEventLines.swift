import Firewall
import Logging
import PortsentryCore

/// The attackalert lines of ban events, in portsentry 2.x's words where 2.x has them.
struct BanEventLines: BanObserver {
    let logger: Logger

    func observe(_ event: BanEvent) {
        for (level, text) in Self.lines(for: event) { logger.log(level: level, "\(text)") }
    }

    static func lines(for event: BanEvent) -> [(Logger.Level, String)] {
        switch event {
        case .applied(let result) where result.decision.term == .renewed:
            guard result.succeeded else { return [] }
            let left = result.ban?.timeLeftMs().map { " (expires in \(BanDuration(seconds: UInt64($0 / 1000))))" } ?? ""
            return [(.info, "Ban of \(result.decision.target) renewed: it probed again while banned\(left)")]
        case .applied(let result):
            let d = result.decision
            // The commands name the host that triggered; nftables may hold its prefix.
            let ip = d.target.isHost ? d.address : d.source ?? d.address
            var byKernel = false
            if case .probe(let evidence) = d.origin { byKernel = evidence.byKernel }
            let narrowed = d.narrowed.map { [(Logger.Level.notice, "attackalert: Host \(d.address) is banned alone, not its prefix: \($0)")] } ?? []
            return narrowed + result.steps.map { step in
                switch (step.enforcement, step.outcome) {
                case (.nftables(let table, let set), .applied):
                    (.notice, LogLine.blockedViaNftables(d.target, source: d.source, table: table, set: set,
                                                         duration: BanDuration(seconds: d.seconds), byKernel: byKernel))
                case (.wrappers(let line), .applied):
                    (.notice, LogLine.blockedViaWrappers(ip, line: line))
                case (.route(let command), .applied):
                    (.notice, LogLine.blockedViaRoute(ip, command: command))
                case (.nftables, .failed(let why)):
                    (.error, "attackalert: Could not add \(d.target) to the nftables ban set: \(why)")
                case (.wrappers, .failed(let why)):
                    (.error, "attackalert: \(why)")
                case (.route(let command), .failed(let why)):
                    (.error, "attackalert: Route command for host \(ip) failed (\(why)): \"\(command)\"")
                case (.nftables, .simulated):
                    (.notice, LogLine.dryRun(d.target, via: "nftables"))
                case (let enforcement, .simulated):
                    (.notice, LogLine.dryRun(CIDR(host: ip), via: enforcement.method))
                }
            }
        case .refused(_, _, .protected(let ip, let reason)):
            return [(.notice, LogLine.protected(ip, reason: reason.rawValue))]
        case .refused(let target, _, let refusal):
            return [(.info, "Not blocking \(target): \(refusal)")]
        case .released(let release):
            return [(.info, "Ban of \(release.target) lifted (\(release.reason.rawValue))")]
        }
    }
}
