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
