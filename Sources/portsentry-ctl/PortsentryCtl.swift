import ArgumentParser
import PortsentryCore

/// `portsentry-ctl`: talks to the daemon over its control socket; with the daemon stopped,
/// `list`, `block`, `unblock`, `flush`, `protected` and `explain` act on the nftables sets, state file and
/// host directly.
@main
struct PortsentryCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portsentry-ctl",
        abstract: "Control the portsentry daemon and its bans.",
        discussion: """
            The daemon is found through its config file (-c, default /etc/portsentry/portsentry.conf: \
            CONTROL_SOCKET, NFT_TABLE, STATE_FILE, IGNORE_FILE, BLOCKED_FILE) or --socket. When it is \
            not running, list, block, unblock, flush and explain act on the nftables sets and the state \
            file directly.

            Exit status: 0 success; 1 failure (an address not handled, a rejected reload, an error); \
            3 daemon not running (status, reload, stats, top); 4 permission denied; 5 daemon did not answer; \
            64 bad usage (bad address, duration or option).
            """,
        version: PortsentryVersion.line,
        subcommands: [StatusCommand.self, ListCommand.self, BlockCommand.self, UnblockCommand.self,
                      FlushCommand.self, ReloadCommand.self, ProtectedCommand.self, ExplainCommand.self,
                      StatsCommand.self, TopCommand.self])

    /// Accepts the daemon options before the subcommand too (`portsentry-ctl -c FILE list`).
    static func main() async {
        await main(DaemonOptions.movingLeadingOptions(Array(CommandLine.arguments.dropFirst())))
    }
}
