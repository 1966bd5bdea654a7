import ArgumentParser

/// How to find the daemon: its config file, or the control socket alone.
struct DaemonOptions: ParsableArguments {
    @Option(name: [.customShort("c"), .customLong("configfile")],
            help: ArgumentHelp("The daemon's config file (gives CONTROL_SOCKET, NFT_TABLE, STATE_FILE, IGNORE_FILE, BLOCKED_FILE).",
                               valueName: "path"))
    var configFile = "/etc/portsentry/portsentry.conf"

    @Option(help: ArgumentHelp("Control socket to use instead of CONTROL_SOCKET from the config file.", valueName: "path"))
    var socket: String?

    @Option(help: ArgumentHelp("Seconds to wait for the daemon's answer.", valueName: "seconds"))
    var timeout = 10

    func validate() throws {
        guard (1...3600).contains(timeout) else { throw ValidationError("--timeout must be between 1 and 3600 seconds") }
    }
}

extension DaemonOptions {
    /// Options that take a value, as they may be written before the subcommand.
    private static let valued: Set<String> = ["-c", "--configfile", "--socket", "--timeout"]

    /// `arguments` with daemon options that precede the subcommand moved after it, where the
    /// subcommand's parser looks for them.
    static func movingLeadingOptions(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first {
            let name = String(first.prefix { $0 != "=" })
            guard valued.contains(name) else { break }
            let count = first.contains("=") ? 1 : 2
            leading += rest.prefix(count)
            rest = rest.dropFirst(count)
        }
        guard let subcommand = rest.first, !leading.isEmpty else { return arguments }
        return [subcommand] + leading + rest.dropFirst()
    }
}
