import ArgumentParser
import Control
#if canImport(Glibc)
import Glibc
#endif

/// `portsentry-ctl top`
struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Show the daemon's activity live, refreshed each second.",
        discussion: """
            What stats prints, redrawn each second on the terminal's alternate screen: probes and bans per \
            minute over the last hour, live bans by origin, drop counters, the top sources and ports of the \
            last 10 minutes. q or Ctrl-C quits (so do SIGINT, SIGTERM and SIGHUP), restoring the terminal; if the \
            daemon stops, top says so and exits 3. When standard output is not a terminal, top prints \
            stats's summary once.
            """)

    @OptionGroup var daemon: DaemonOptions

    func run() async throws {
        try await CtlFailure.reporting { () throws(CtlFailure) in
            let link = DaemonLink(daemon)
            let first = try await link.activity()
            guard isatty(1) == 1 else {
                Output.line(StatsCommand.summary(first))
                return
            }
            try await LiveView(link: link).run(first)
        }
    }
}
