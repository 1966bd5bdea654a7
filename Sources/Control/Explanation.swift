import PortsentryCore

/// What `explain` answers about an address or network: its live ban, the last ban remembered
/// (the rule that decided it, its evidence, its length and why), and whether it is ignored or
/// protected now. Built by `BanCommands.explain`, for the daemon and portsentry-ctl offline.
public struct Explanation: Codable, Sendable, Hashable {
    /// What was asked about.
    public var query: String
    /// The ban in force that drops it, if any.
    public var live: LiveBan?
    /// The last ban of it remembered within OFFENCE_MEMORY, if any.
    public var last: PastBan?
    /// Bans of it remembered within OFFENCE_MEMORY (the last one included).
    public var offences: Int
    /// OFFENCE_MEMORY in seconds.
    public var offenceMemory: UInt64
    /// The address is in the ignore file: probes never ban it (a manual block needs --force).
    public var ignored: Bool
    /// Why it is never banned, if it is protected (`local address`, `resolver`, ...).
    public var protected: String?

    public init(query: String, live: LiveBan?, last: PastBan?, offences: Int, offenceMemory: UInt64,
                ignored: Bool, protected: String?) {
        self.query = query; self.live = live; self.last = last; self.offences = offences
        self.offenceMemory = offenceMemory; self.ignored = ignored; self.protected = protected
    }

    /// The ban in force.
    public struct LiveBan: Codable, Sendable, Hashable {
        /// The banned host or network.
        public var target: String
        /// Seconds left; nil = never expires.
        public var expiresIn: UInt64?
        /// When it expires, seconds since the epoch; nil = never.
        public var expiresAt: Int64?
        /// Probes seen from it since it was banned (dropped by the firewall).
        public var hits: Int
        public var offence: Int
    }

    /// A ban as it was decided, and how it ended.
    public struct PastBan: Codable, Sendable, Hashable {
        public var target: String
        /// When it was decided, milliseconds since the epoch.
        public var decidedAt: Int64
        /// Its length in seconds; 0 = no expiry.
        public var seconds: UInt64
        /// Which ban of the target it was (1 = the first).
        public var offence: Int
        /// Why it lasts `seconds`: `configured` (BAN_TIME grown by `factor`^(offence − 1), maybe
        /// `capped` by BAN_TIME_MAX), `requested` (--for), `fleet` or `renewed`.
        public var term: String
        public var baseSeconds: UInt64?
        public var factor: Double?
        public var capped: Bool?
        /// `probe`, `kernel` (the packet-path rule banned on the probe), `manual` or `fleet`.
        public var origin: String
        /// The rule the probes met, e.g. `SCAN_TRIGGER=3: 3 probes within SCAN_WINDOW=10m`.
        public var rule: String?
        /// The probe the ban was decided on (protocol, port, scan type).
        public var trigger: BanEntry.Trigger?
        /// The admin's reason (manual) or the fleet source (`lapi:<origin>`).
        public var reason: String?
        public var fleet: String?
        /// The probes that counted, oldest first.
        public var probes: [Probe]
        /// Why a probe ban held only its host although IPV4/IPV6_BAN_PREFIX is wider.
        public var narrowed: String?
        /// When it expires or expired, seconds since the epoch; nil = never.
        public var expiresAt: Int64?
        /// When it ended early or expired, seconds since the epoch, and how (`expired`,
        /// `unbanned`, `flushed`, `evicted`, `withdrawn`); nil while it holds.
        public var endedAt: Int64?
        public var endReason: String?
    }

    /// One probe that counted.
    public struct Probe: Codable, Sendable, Hashable {
        /// Milliseconds since the epoch.
        public var time: Int64
        public var source: String
        public var proto: String
        public var port: UInt16
        /// The scan line's type text.
        public var type: String
        /// TCP flags as names (`SYN`, `FIN PSH URG`, ...); nil for UDP and connect probes.
        public var flags: String?
        /// The interface it came in on; nil when unknown.
        public var interface: String?
    }
}

extension Explanation.PastBan {
    init(_ record: BanRecord, interfaceName: (UInt32) -> String?) {
        let d = record.last
        target = "\(record.target)"; decidedAt = d.time; seconds = d.seconds; offence = d.offence
        switch d.term {
        case .configured(let base, let factor, let capped): term = "configured"; baseSeconds = base; self.factor = factor; self.capped = capped
        case .requested: term = "requested"
        case .fleet: term = "fleet"
        case .renewed: term = "renewed"
        }
        probes = []
        origin = d.origin.kind
        switch d.origin {
        case .probe(let e):
            trigger = BanEntry.Trigger(proto: e.proto.rawValue, port: e.port, type: e.type)
            rule = e.trigger.map { "\($0.rule)" }
            probes = (e.trigger?.probes ?? []).map { p in
                Explanation.Probe(time: p.time, source: "\(p.source)", proto: p.proto.rawValue, port: p.port, type: p.type.text,
                                  flags: p.proto == .tcp && p.type != .connect ? p.type.flags.names : nil,
                                  interface: p.interface == 0 ? nil : interfaceName(p.interface))
            }
        case .manual(let why): reason = why
        case .fleet(let source): fleet = source
        }
        narrowed = d.narrowed
        expiresAt = record.expiresAt.map { $0 / 1000 }
        endedAt = record.ended.map { $0.time / 1000 }
        endReason = record.ended?.reason.rawValue
    }
}

extension TCPFlags {
    /// The set flags by name, `SYN`, `FIN PSH URG`, or `none`.
    var names: String {
        let all: [(TCPFlags, String)] = [(.fin, "FIN"), (.syn, "SYN"), (.rst, "RST"), (.psh, "PSH"), (.ack, "ACK"), (.urg, "URG")]
        let set = all.filter { contains($0.0) }.map(\.1)
        return set.isEmpty ? "none" : set.joined(separator: " ")
    }
}
