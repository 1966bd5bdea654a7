import ArgumentParser
import Control
import PortsentryCore

/// `portsentry-ctl explain`
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Say why an address is banned, or was.",
        discussion: """
            Shows the ban in force (time left, probes dropped since), the last ban remembered within \
            OFFENCE_MEMORY — the rule that decided it (SCAN_TRIGGER and SCAN_WINDOW, a manual block with \
            its reason, a fleet ban with its origin), each probe that counted (time, protocol, port, \
            TCP flags, interface), its length and why (offence n, BAN_TIME_INCREMENT, BAN_TIME_MAX) — \
            and whether the address is ignored or protected now. Exit status 0 whether or not it is banned.
            """)

    @OptionGroup var daemon: DaemonOptions

    @Argument(help: ArgumentHelp("An IPv4 or IPv6 address or network (CIDR).", valueName: "ip|cidr"))
    var target: String

    @Flag(help: "Print the explanation as JSON, for scripts.")
    var json = false

    func validate() throws { _ = try parsedTarget() }

    func run() async throws {
        let target = try parsedTarget()
        try await CtlFailure.reporting { () throws(CtlFailure) in
            let response = try await DaemonLink(daemon).perform(.explain(target)) { offline throws(CtlFailure) in
                offline.explain(target)
            }
            guard let explanation = response.explanation else { throw CtlFailure("the daemon sent no explanation") }
            Output.line(json ? Formatting.json(explanation) : Formatting.explanation(explanation))
        }
    }

    private func parsedTarget() throws -> CIDR {
        do { return try CIDR(target: target) } catch { throw ValidationError("\(error)") }
    }
}
