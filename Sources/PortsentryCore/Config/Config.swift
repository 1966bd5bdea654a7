/// What BLOCK_TCP / BLOCK_UDP ask for when a source triggers.
public enum BlockMode: Int, Sendable, Hashable {
    /// `0`: log only.
    case logOnly = 0
    /// `1`: block (the backend of `BackendRule`, plus KILL_RUN_CMD).
    case block = 1
    /// `2`: run KILL_RUN_CMD only.
    case runCommandOnly = 2
}

/// BLOCK_BACKEND: which enforcement backend bans sources (docs/configuration.md "Which backend a config gets").
public enum BackendChoice: String, Sendable, Hashable, CaseIterable {
    case auto, nftables, command
}

/// NFT_HOOK: where the drop chain hooks in.
public enum NftHook: String, Sendable, Hashable, CaseIterable {
    case prerouting, input
}

/// KERNEL_BAN: whether nftables bans a probe's source in the packet path, on the probe itself
/// (docs/nftables.md "Banning in the packet path").
public enum KernelBanChoice: String, Sendable, Hashable, CaseIterable {
    /// On whenever its conditions hold; otherwise off, said in one start-up line.
    case auto
    case off = "0"
    /// On, and a config whose settings rule it out is refused.
    case on = "1"
}

/// A validated daemon configuration: every key of docs/configuration.md, with defaults.
/// Built by `ConfigParser`; optional strings are nil when the key is absent or empty.
public struct Config: Sendable, Hashable {
    public var tcpPorts: PortSet = .empty
    public var udpPorts: PortSet = .empty
    /// ADVANCED_PORTS_TCP / _UDP: the highest port watched in advanced mode.
    public var advancedPortsTCP: UInt16 = 1024
    public var advancedPortsUDP: UInt16 = 1024
    public var advancedExcludeTCP: PortSet = .empty
    public var advancedExcludeUDP: PortSet = .empty
    public var blockTCP: BlockMode = .block
    public var blockUDP: BlockMode = .block
    public var killRoute: String? = nil
    public var killHostsDeny: String? = nil
    public var killRunCmd: String? = nil
    public var killRunCmdFirst: Bool = false
    /// SCAN_TRIGGER; 0 and 1 both act on the first event.
    public var scanTrigger: Int = 0
    public var resolveHost: Bool = false
    public var ignoreFile: String? = nil
    public var historyFile: String? = nil
    /// EVENT_LOG: a file of JSON events, one per line (docs/events.md); `-` = stdout.
    public var eventLog: String? = nil
    public var blockedFile: String? = nil
    public var portBanner: String? = nil

    public var blockBackend: BackendChoice = .auto
    /// BAN_TIME in seconds; 0 = bans never expire.
    public var banTime: UInt64 = 86_400
    /// BAN_TIME_INCREMENT: the n-th ban of a source lasts BAN_TIME × factor^(n-1); 1 = off.
    public var banTimeIncrement: Double = 1
    /// BAN_TIME_MAX in seconds: the longest escalated ban; nil = the longest nftables allows.
    public var banTimeMax: UInt64? = nil
    /// OFFENCE_MEMORY in seconds: how long an offence counts after its ban ended.
    public var offenceMemory: UInt64 = 30 * 86_400
    /// SCAN_WINDOW in seconds: the trigger counts the probes of this window only; nil = 2.x (never decay).
    public var scanWindow: UInt64? = nil
    /// SCAN_TRIGGER_PORTS: the trigger counts distinct ports, not probes.
    public var scanTriggerPorts: Bool = false
    public var nftTable: String = "portsentry"
    public var nftHook: NftHook = .prerouting
    public var nftSetSize: Int = 65_536
    /// IPV4_BAN_PREFIX and IPV6_BAN_PREFIX: how wide a probe ban is, per family.
    public var banPrefixes = BanPrefixes.standard
    public var kernelBan: KernelBanChoice = .auto
    /// BAN_RATE_ALARM: new bans per second above which a warning (once a minute) names the
    /// busiest networks; 0 = no alarm.
    public var banRateAlarm: Int = 1000
    /// BAN_RATE_LIMIT: at most this many probe bans per second; 0 = no cap (the default: unset).
    public var banRateLimit: Int = 0
    public var controlSocket: String = "/run/portsentry/control.sock"
    /// CONTROL_GROUP: a group whose members may use the control socket besides root.
    public var controlGroup: String? = nil
    public var stateFile: String = "/var/lib/portsentry/bans.state"
    /// DRY_RUN: log what would be blocked, change no firewall and run no KILL_ROUTE/KILL_HOSTS_DENY.
    public var dryRun: Bool = false
    /// PROTECT: addresses and networks never banned, not even with `portsentry-ctl block --force`.
    public var protect: [CIDR] = []
    /// PROTECT_FILE: more of them, one per line (the ignore file's format).
    public var protectFile: String? = nil
    /// PROTECT_AUTO: protect local addresses, default gateways, resolvers and SSH sessions.
    public var protectAuto: Bool = true
    /// PROTECT_SSH_PORTS: a source with an established TCP connection to one of these local
    /// ports is an SSH session (PROTECT_AUTO).
    public var protectSSHPorts: PortSet = PortSet([22...22])
    /// CROWDSEC_*: fleet bans through CrowdSec's Local API.
    public var crowdsec = CrowdSecConfig()
    /// METRICS_LISTEN: where the Prometheus endpoint listens; nil = off.
    public var metricsListen: MetricsListen? = nil

    public init() {}

    /// The file the config was read from (for messages), if any.
    public var path: String = ""
    /// The line each key was last set on (keys left at their default are absent), for messages.
    public var lines: [ConfigKey: Int] = [:]
}

extension Config {
    /// The largest BAN_RATE_ALARM and BAN_RATE_LIMIT (more than the daemon can ban in a second).
    public static let banRateMaximum = 1_000_000
}
