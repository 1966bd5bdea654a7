import ArgumentParser
import Daemon
import PortsentryCore

/// The daemon's command line with upstream's spellings (docs/daemon.md "Command line"). `launchOptions()`
/// checks the combinations and turns it into the parser-independent `LaunchOptions`.
struct CommandLineArguments: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portsentry",
        abstract: "Detects port scans and blocks the scanning hosts.",
        discussion: """
            Legacy 1.x mode flags are accepted: -tcp/-udp (connect mode), -stcp/-sudp (stealth), \
            -atcp/-audp (stealth, advanced: every port up to ADVANCED_PORTS_*). One TCP and one UDP \
            flag may be combined when their modes agree.
            """
    )

    @Flag(help: "Stealth mode (the default): watch the ports by packet capture, or connect mode: bind the ports.")
    var modes: [ModeFlag] = []

    @Flag(help: .hidden)
    var legacyModes: [LegacyModeFlag] = []

    @Option(name: [.customShort("m"), .long], help: "Stealth capture method.")
    var method: MethodArgument = .pcap

    @Option(name: [.customShort("i"), .long],
            help: "Capture interface: ALL, ALL_NLO (all but loopback, the default), any, or interface names (repeatable).")
    var interface: [String] = []

    @Flag(name: [.customShort("L"), .customLong("disable-local-check")],
          help: "Do not skip packets whose source equals their destination.")
    var disableLocalCheck = false

    @Flag(name: [.customShort("S"), .customLong("disable-service-check")],
          help: "Stealth mode: also watch ports that have a listening service.")
    var disableServiceCheck = false

    @Option(name: [.customShort("l"), .long], help: "Where log lines go (repeatable; default stdout, syslog with -D).")
    var logoutput: [OutputArgument] = []

    @Option(name: [.customShort("c"), .customLong("configfile")], help: "Config file.")
    var configFile = LaunchOptions().configFile

    @Flag(name: [.customShort("D"), .long], help: "Run in the background and log to syslog.")
    var daemon = false

    @Flag(name: [.customShort("d"), .long], help: "Print debug lines (prefixed \"debug: \").")
    var debug = false

    @Flag(name: [.customShort("v"), .long], help: "Print verbose lines.")
    var verbose = false

    @Flag(name: [.customShort("V"), .long], help: "Print the version and exit.")
    var version = false

    @Flag(name: .customLong("dry-run"), help: "Log what would be blocked; change no firewall, run no KILL_ROUTE or KILL_HOSTS_DENY (as DRY_RUN=\"1\").")
    var dryRun = false

    @Flag(name: .customLong("check-config"), help: "Check the config and ignore files, print the result and exit.")
    var checkConfig = false

    enum ModeFlag: String, EnumerableFlag { case stealth, connect }

    enum MethodArgument: String, ExpressibleByArgument, CaseIterable { case pcap, raw }

    enum OutputArgument: String, ExpressibleByArgument, CaseIterable { case stdout, syslog }

    /// The validated options; a `ValidationError` explains any bad combination.
    func launchOptions() throws(ValidationError) -> LaunchOptions {
        var options = LaunchOptions()
        let selection: ModeSelection
        do {
            selection = try ModeSelection.resolve(explicit: modes.map { $0 == .stealth ? .stealth : .connect },
                                                  legacy: legacyModes)
        } catch {
            throw ValidationError(error.message)
        }
        options.mode = selection.mode
        options.portWatch = selection.watch
        guard !configFile.isEmpty else { throw ValidationError("-c needs the path of the config file") }
        options.method = method == .pcap ? .pcap : .raw
        if !interface.isEmpty { options.interfaces = try InterfaceArgument.validate(interface) }
        options.localCheck = !disableLocalCheck
        options.serviceCheck = !disableServiceCheck
        options.outputs = logoutput.isEmpty
            ? [daemon ? .syslog : .stdout]
            : Set(logoutput.map { $0 == .stdout ? .stdout : .syslog })
        options.configFile = configFile
        options.daemonize = daemon
        options.debug = debug
        options.verbose = verbose
        options.checkOnly = checkConfig
        options.dryRun = dryRun
        return options
    }
}
