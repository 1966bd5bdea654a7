/// What made a ban: the value that travels with it from *decide* to *enforce*, into the state
/// file and back out through `portsentry-ctl list`.
public enum BanOrigin: Sendable, Hashable {
    /// A probe made its source cross SCAN_TRIGGER.
    case probe(ProbeEvidence)
    /// An administrator asked (portsentry-ctl block), with the reason given, if any.
    case manual(reason: String?)
    /// Another host's ban, shared through a fleet source (its name, e.g. `lapi:crowdsec`).
    case fleet(String)
}

/// The probe behind a ban: what the scan line showed of it.
public struct ProbeEvidence: Sendable, Hashable {
    public var proto: TransportProtocol
    public var port: UInt16
    /// The scan line's type text (`TCP SYN/Normal scan`, `UDP`, `Connect`, ...).
    public var type: String
    /// The sentry mode that saw it (`$MODE$` of the legacy commands); nil when restored from a
    /// state file, which does not keep it.
    public var mode: SentryMode?
    /// The kernel's packet-path rule banned the source on this probe (KERNEL_BAN); the daemon
    /// records the ban it learned of through its capture.
    public var byKernel: Bool
    /// The rule the source met and the probes that counted; nil when restored from a state
    /// file (the ledger keeps them: `portsentry-ctl explain`).
    public var trigger: TriggerEvidence?

    public init(proto: TransportProtocol, port: UInt16, type: String, mode: SentryMode? = nil, byKernel: Bool = false,
                trigger: TriggerEvidence? = nil) {
        self.proto = proto; self.port = port; self.type = type; self.mode = mode; self.byKernel = byKernel
        self.trigger = trigger
    }

    public init(_ event: ProbeEvent, trigger: TriggerEvidence? = nil) {
        self.init(proto: event.proto, port: event.port, type: event.type.text, mode: event.mode, trigger: trigger)
    }
}

/// Why a ban lasts as long as it does (`portsentry-ctl explain`).
public enum BanTerm: Sendable, Hashable {
    /// BAN_TIME (`base` seconds) grown for a repeat offender: base × factor^(offence − 1),
    /// `capped` at BAN_TIME_MAX.
    case configured(base: UInt64, factor: Double, capped: Bool)
    /// The length an administrator asked for (`portsentry-ctl block --for`).
    case requested
    /// The time the fleet's decision had left.
    case fleet
    /// A banned source probed again: its ban started again at its own length.
    case renewed
}

/// One ban to make, as the ban policy decided it: the input of every backend.
public struct BanDecision: Sendable, Hashable {
    /// Whom to ban: a host or a network (a prefix ban).
    public var target: CIDR
    /// How long, in seconds; 0 = no expiry.
    public var seconds: UInt64
    public var origin: BanOrigin
    /// When it was decided, wall-clock milliseconds since the epoch.
    public var time: Int64
    /// Which ban of the target this is within OFFENCE_MEMORY (1 = its first).
    public var offence: Int
    /// Why it lasts `seconds`.
    public var term: BanTerm

    /// The host whose probe made a probe ban (inside `target`); nil for other bans.
    public var source: IPAddress?
    /// Why a probe ban holds only its host although IPV4/IPV6_BAN_PREFIX is wider (a protected,
    /// local or ignored address shares the prefix); nil when it was not narrowed.
    public var narrowed: String?

    public init(target: CIDR, seconds: UInt64, origin: BanOrigin, time: Int64 = WallClock.nowMs(), offence: Int = 1,
                term: BanTerm = .requested, source: IPAddress? = nil, narrowed: String? = nil) {
        self.target = target; self.seconds = seconds; self.origin = origin; self.time = time
        self.offence = offence; self.term = term; self.source = source; self.narrowed = narrowed
    }

    /// The banned host; a network target is named by its network address.
    public var address: IPAddress { target.network }
}
