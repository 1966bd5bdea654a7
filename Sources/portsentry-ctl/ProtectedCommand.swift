import ArgumentParser
import Capture
import Control

/// `portsentry-ctl protected`
struct ProtectedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "protected",
        abstract: "List the addresses portsentry never bans, and why.",
        discussion: """
            Reasons: local address, default gateway, resolver (PROTECT_AUTO), PROTECT (PROTECT and \
            PROTECT_FILE). Sources with an established connection to PROTECT_SSH_PORTS are protected \
            too; they are checked when a ban would hit them, so they are not listed. No path bans a \
            protected address, not even block --force.
            """)

    @OptionGroup var daemon: DaemonOptions

    @Flag(help: "Print the list as a JSON array, for scripts.")
    var json = false

    func run() async throws {
        try await CtlFailure.reporting { () throws(CtlFailure) in
            let link = DaemonLink(daemon)
            let entries: [ProtectedEntry]
            do throws(CtlFailure) {
                entries = try await link.send(.protected).protected ?? []
            } catch where error.exitCode.rawValue == CtlFailure.notRunning.rawValue {
                guard let config = link.config else {
                    throw CtlFailure("daemon not running, and reading what is protected needs a valid config file: \(link.configProblem ?? "")")
                }
                Output.error("daemon not running; reading this host's protected addresses directly")
                entries = ProtectedEntry.list(try OfflineBans.protection(config).snapshot())
            }
            Output.line(json ? Formatting.json(entries) : Formatting.protected(entries))
        }
    }
}
