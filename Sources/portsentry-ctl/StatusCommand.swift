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
            let link = DaemonLink(daemon)
            let response: ControlResponse
            do throws(CtlFailure) {
                response = try await link.send(.status)
            } catch where error.exitCode.rawValue == CtlFailure.notRunning.rawValue {
                Output.line("portsentry is not running (no daemon answers on \(link.client.socketPath))")
                throw CtlFailure("", exitCode: CtlFailure.notRunning, silent: true)
            }
            guard let status = response.status else { throw CtlFailure("the daemon sent no status") }
            Output.line(json ? Formatting.json(status) : Formatting.status(status))
        }
    }
}
