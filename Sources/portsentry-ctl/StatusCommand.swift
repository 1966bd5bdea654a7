import ArgumentParser
import Control

/// `portsentry-ctl status`
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show whether the daemon runs, its version, mode, backend and counters.",
        discussion: "Exit status 0 when the daemon runs, 3 when it does not.")

    @OptionGroup var daemon: DaemonOptions

    @Flag(help: "Print the status as JSON.")
    var json = false

    func run() async throws {
        try await CtlFailure.reporting { () throws(CtlFailure) in
            guard let status = try await DaemonLink(daemon).ask(.status).status else { throw CtlFailure("the daemon sent no status") }
            Output.line(json ? Formatting.json(status) : Formatting.status(status))
        }
    }
}
