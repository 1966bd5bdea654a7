import ArgumentParser
import Control

/// `portsentry-ctl list`
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the active bans, soonest to expire first.",
        discussion: "Columns: address, time left, the probe that triggered the ban (protocol/port type) or manual, when it was banned, and probes seen from it.")

    @OptionGroup var daemon: DaemonOptions

    @Flag(help: "Print the bans as a JSON array, for scripts.")
    var json = false

    func run() async throws {
        try await CtlFailure.reporting { () throws(CtlFailure) in
            let response = try await DaemonLink(daemon).perform(.list) { offline throws(CtlFailure) in offline.list() }
            let bans = (response.bans ?? []).sorted(by: BanEntry.byTimeLeft)
            Output.line(json ? Formatting.json(bans) : Formatting.table(bans))
        }
    }
}
