import ArgumentParser
import Control
import PortsentryCore

/// `portsentry-ctl unblock`
struct UnblockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unblock",
        abstract: "Lift bans.",
        discussion: """
            Removes each address from the nftables set, the daemon's ban table, STATE_FILE and \
            BLOCKED_FILE, and resets its scan counter. A network lifts every ban inside it; an \
            address inside a banned prefix lifts the prefix (the reply says so). \
            Addresses that were not banned are reported; exit status 0 only if every address was unblocked.
            """)

    @OptionGroup var daemon: DaemonOptions

    @Argument(help: ArgumentHelp("IPv4 or IPv6 addresses or networks (CIDR).", valueName: "ip|cidr"))
    var targets: [String]

    func validate() throws {
        _ = try parsedTargets()
    }

    func run() async throws {
        let targets = try parsedTargets()
        try await CtlFailure.reporting { () throws(CtlFailure) in
            let response = try await DaemonLink(daemon).perform(.unblock(targets)) { offline throws(CtlFailure) in
                try await offline.unblock(targets)
            }
            try Formatting.report(response.results ?? [])
        }
    }

    private func parsedTargets() throws -> [CIDR] {
        try targets.map { text in
            do { return try CIDR(target: text) } catch { throw ValidationError("\(error)") }
        }
    }
}
