import ArgumentParser
import Control

/// `portsentry-ctl stats`
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Print the daemon's recent activity once.",
        discussion: """
            Probes and new bans per minute over the last hour (sparklines, oldest left), the live bans by \
            origin (probe, kernel, manual, fleet, restore), the packets and bytes the ban rules dropped per \
            address family, and the sources and ports probed most in the last 10 minutes. The daemon keeps these in memory only: with it stopped, stats says so and \
            exits 3 (list still shows the bans). portsentry-ctl top shows the same live.
            """)

    @OptionGroup var daemon: DaemonOptions

    @Flag(help: "Print the report as JSON, for scripts.")
    var json = false

    func run() async throws {
        try await CtlFailure.reporting { () throws(CtlFailure) in
            let report = try await DaemonLink(daemon).activity()
            Output.line(json ? Formatting.json(report) : Self.summary(report))
        }
    }

    /// The one-shot text, also what `top` prints when standard output is not a terminal.
    static func summary(_ report: ActivityReport) -> String {
        ActivityView(report: report, width: 80, rows: nil, title: "portsentry activity at \(Formatting.time(report.at))",
                     unicode: Output.speaksUTF8).lines().joined(separator: "\n")
    }
}

extension DaemonLink {
    /// The daemon's activity report; with no daemon, `ask`'s message and exit status 3.
    func activity() async throws(CtlFailure) -> ActivityReport {
        guard let report = try await ask(.activity).activity else { throw CtlFailure("the daemon sent no activity report") }
        return report
    }
}
