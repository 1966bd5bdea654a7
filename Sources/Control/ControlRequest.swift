import PortsentryCore
/// One request to the daemon, validated.
public enum ControlRequest: Sendable, Hashable {
    /// Daemon status: version, mode, counters.
    case status
    /// Active bans.
    case list
    /// Manual bans.
    case block(BlockOrder)
    /// Lift bans on these hosts (a network lifts every ban inside it).
    case unblock([CIDR])
    /// Lift every ban.
    case flush
    /// Reload the config and ignore file, as SIGHUP does.
    case reload
    /// What is never banned, and why.
    case protected
    /// Why an address or network is banned, or was.
    case explain(CIDR)
    /// Recent activity: probes and bans per minute, top sources and ports, bans by origin.
    case activity

    /// The command name on the wire.
    public var command: String {
        switch self {
        case .status: "status"
        case .list: "list"
        case .block: "block"
        case .unblock: "unblock"
        case .flush: "flush"
        case .reload: "reload"
        case .protected: "protected"
        case .explain: "explain"
        case .activity: "activity"
        }
    }
}

/// What a block request asks for.
public struct BlockOrder: Sendable, Hashable {
    public var targets: [CIDR]
    /// Ban length in seconds; nil = the configured BAN_TIME, 0 = no expiry.
    public var seconds: UInt64?
    /// Free text recorded with the ban.
    public var reason: String?
    /// Ban even addresses in the ignore file or owned by this host.
    public var force: Bool

    public init(targets: [CIDR], seconds: UInt64? = nil, reason: String? = nil, force: Bool = false) {
        self.targets = targets
        self.seconds = seconds
        self.reason = reason
        self.force = force
    }
}
