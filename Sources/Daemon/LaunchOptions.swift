import PortsentryCore

/// The daemon's command line after parsing (docs/daemon.md "Command line"), independent of the parser library.
public struct LaunchOptions: Sendable, Hashable {
    /// Stealth capture method.
    public enum Method: String, Sendable, Hashable { case pcap, raw }
    /// Where log lines go.
    public enum Output: String, Sendable, Hashable { case stdout, syslog }
    /// Which ports a sentry watches: the configured lists, or advanced mode (1.x `-atcp`/`-audp`).
    public enum PortSelection: Sendable, Hashable { case configured, advanced }

    public var mode: SentryMode = .stealth
    public var method: Method = .pcap
    /// `-i` values: `ALL`, `ALL_NLO` (default), `any` or interface names.
    public var interfaces: [String] = ["ALL_NLO"]
    public var localCheck = true            // -L turns it off
    public var serviceCheck = true          // -S turns it off
    public var outputs: Set<Output> = [.stdout]
    public var configFile = "/etc/portsentry/portsentry.conf"
    public var daemonize = false
    /// `--check-config`: validate the config and ignore file, print the result, exit.
    public var checkOnly = false
    public var debug = false
    /// `--dry-run` (or DRY_RUN="1" in the config): simulate every ban.
    public var dryRun = false
    public var verbose = false
    /// Protocols to watch (legacy `-tcp`/`-udp` flags narrow this; default both).
    public var protocols: Set<TransportProtocol> = [.tcp, .udp]
    /// Per protocol: configured port lists or advanced mode.
    public var tcpSelection: PortSelection = .configured
    public var udpSelection: PortSelection = .configured

    public init() {}
}

extension LaunchOptions {
    /// `protocols` with their port selections, in the form `ConfigParser` checks port lists against.
    public var portWatch: PortWatch {
        get {
            let advanced = [(TransportProtocol.tcp, tcpSelection), (.udp, udpSelection)].filter { $0.1 == .advanced }.map(\.0)
            return PortWatch(protocols: protocols, advanced: Set(advanced))
        }
        set {
            protocols = newValue.protocols
            tcpSelection = newValue.advanced.contains(.tcp) ? .advanced : .configured
            udpSelection = newValue.advanced.contains(.udp) ? .advanced : .configured
        }
    }
}
