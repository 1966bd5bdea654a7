import PortsentryCore

/// What `status` reports about a running daemon.
public struct StatusReport: Codable, Sendable, Hashable {
    /// Daemon version line, e.g. `2.0.0 (abc1234)`.
    public var version: String
    public var pid: Int32
    /// Start time, seconds since the Unix epoch.
    public var startedAt: Int64
    /// `stealth` or `connect`.
    public var mode: String
    /// Stealth capture method (`pcap` or `raw`); nil in connect mode.
    public var method: String?
    public var interfaces: [String]
    /// Enforcement backend in use: `nftables` or `command`.
    public var backend: String
    public var bansIPv4: Int
    public var bansIPv6: Int
    /// Probe events seen and bans made since the daemon started.
    public var eventsSinceStart: UInt64
    public var bansSinceStart: UInt64
    /// Config file in use.
    public var configFile: String
    /// Bans only simulated (DRY_RUN); nil from daemons that predate it.
    public var dryRun: Bool?
    /// Protected addresses by reason (`local address 3, default gateway 1, ...`); nil from
    /// daemons that predate it.
    public var protected: String?
    /// The CrowdSec fleet link; nil when CROWDSEC_LAPI_URL is unset (or the daemon predates it).
    public var fleet: FleetStatus?
    /// KERNEL_BAN in force: `on for TCP: 23 TCP ports ...` or `off (why)`; nil from daemons
    /// that predate it.
    public var kernelBan: String?

    public init(version: String, pid: Int32, startedAt: Int64, mode: String, method: String?,
                interfaces: [String], backend: String, bansIPv4: Int, bansIPv6: Int,
                eventsSinceStart: UInt64, bansSinceStart: UInt64, configFile: String, dryRun: Bool = false,
                protected: String? = nil, fleet: FleetStatus? = nil, kernelBan: String? = nil) {
        self.version = version; self.pid = pid; self.startedAt = startedAt; self.mode = mode
        self.method = method; self.interfaces = interfaces; self.backend = backend
        self.bansIPv4 = bansIPv4; self.bansIPv6 = bansIPv6
        self.eventsSinceStart = eventsSinceStart; self.bansSinceStart = bansSinceStart
        self.configFile = configFile
        self.dryRun = dryRun
        self.protected = protected
        self.fleet = fleet
        self.kernelBan = kernelBan
    }
}

/// One active ban as `list` shows it.
public struct BanEntry: Codable, Sendable, Hashable {
    /// Host address (or network) text.
    public var address: String
    /// Seconds until the ban expires; nil when it never does.
    public var expiresIn: UInt64?
    /// When the ban was made, seconds since the Unix epoch; nil if unknown.
    public var bannedAt: Int64?
    /// The probe that triggered the ban; nil for manual bans or when unknown.
    public var trigger: Trigger?
    /// Probe events counted from this source.
    public var hits: Int
    /// Reason given with a manual ban.
    public var reason: String?
    /// The fleet source of a ban learned from a peer (`lapi:<origin>`).
    public var fleet: String?
    /// Which ban of the address this is within OFFENCE_MEMORY (1 = its first); nil from
    /// daemons that predate it.
    public var offence: Int?

    public init(address: String, expiresIn: UInt64?, bannedAt: Int64?, trigger: Trigger?,
                hits: Int, reason: String? = nil, fleet: String? = nil, offence: Int? = nil) {
        self.address = address; self.expiresIn = expiresIn; self.bannedAt = bannedAt
        self.trigger = trigger; self.hits = hits; self.reason = reason; self.fleet = fleet; self.offence = offence
    }

    /// The probe that made a source cross SCAN_TRIGGER.
    public struct Trigger: Codable, Sendable, Hashable {
        /// `TCP` or `UDP`.
        public var proto: String
        public var port: UInt16
        /// The scan line's `type` text, e.g. `TCP SYN/Normal scan`.
        public var type: String

        public init(proto: String, port: UInt16, type: String) {
            self.proto = proto; self.port = port; self.type = type
        }
    }

    /// Orders bans by time left, never-expiring ones last, then by address text.
    public static func byTimeLeft(_ a: BanEntry, _ b: BanEntry) -> Bool {
        switch (a.expiresIn, b.expiresIn) {
        case let (x?, y?) where x != y: return x < y
        case (_?, nil): return true
        case (nil, _?): return false
        default: return a.address < b.address
        }
    }
}

/// What happened to one address of a block or unblock request.
public struct TargetResult: Codable, Sendable, Hashable {
    public enum Outcome: String, Codable, Sendable, Hashable {
        case blocked, unblocked
        /// `unblock` of an address that had no ban.
        case notBanned = "not-banned"
        /// `block` of an ignored or local address without `force`.
        case refused
        /// The firewall rejected the change.
        case failed
    }

    public var address: String
    public var outcome: Outcome
    /// Why, for `refused` and `failed`; which hosts, for a network.
    public var detail: String?

    public init(address: String, outcome: Outcome, detail: String? = nil) {
        self.address = address; self.outcome = outcome; self.detail = detail
    }

    /// Whether the address was dealt with as asked.
    public var succeeded: Bool { outcome == .blocked || outcome == .unblocked }
}

/// Whether a reload took the new config.
public struct ReloadReport: Codable, Sendable, Hashable {
    public var accepted: Bool
    /// The config error when rejected (the old config stays in force); a summary when accepted.
    public var message: String

    public init(accepted: Bool, message: String) {
        self.accepted = accepted; self.message = message
    }
}

/// One protected network as `protected` lists it.
public struct ProtectedEntry: Codable, Sendable, Hashable {
    /// Address or network text.
    public var address: String
    /// `local address`, `default gateway`, `resolver`, `ssh session` or `PROTECT`.
    public var reason: String

    public init(address: String, reason: String) { self.address = address; self.reason = reason }

    /// Every entry of `addresses`, by reason, then address.
    public static func list(_ addresses: ProtectedAddresses) -> [ProtectedEntry] {
        ProtectionReason.allCases.flatMap { reason in
            (addresses.entries[reason] ?? []).map { ProtectedEntry(address: "\($0)", reason: reason.rawValue) }
        }
    }
}
