/// The one place that turns "this source triggered", "the admin asked" or "this ban was saved"
/// into ban decisions, or into a refusal with its reason. Every ban path goes through it: the
/// pipeline, portsentry-ctl (daemon and offline), state-file restores and, later, fleet bans.
/// A plain value: the daemon replaces it on reload.
public struct BanPolicy: Sendable {
    /// BAN_TIME in seconds (0 = no expiry), for bans that name no length.
    public var banSeconds: UInt64
    /// IGNORE_FILE (with its `.static` part): never banned unless an admin forces it.
    public var ignoreList: IgnoreList
    /// Addresses never banned by any path, not even with force.
    public var protection: any ProtectionSource
    /// How bans grow for repeat offenders (BAN_TIME_INCREMENT, BAN_TIME_MAX, OFFENCE_MEMORY).
    public var escalation: Escalation
    /// IPV4_BAN_PREFIX and IPV6_BAN_PREFIX: the network a probe bans.
    public var prefixes: BanPrefixes

    public init(banSeconds: UInt64, ignoreList: IgnoreList, protection: any ProtectionSource = FixedProtection(),
                escalation: Escalation = .off, prefixes: BanPrefixes = .hosts) {
        self.banSeconds = min(banSeconds, BanDuration.maximum.seconds)
        self.ignoreList = ignoreList
        self.protection = protection
        self.escalation = escalation
        self.prefixes = prefixes
    }

    public init(config: Config, ignoreList: IgnoreList, protection: any ProtectionSource = FixedProtection()) {
        self.init(banSeconds: config.banTime, ignoreList: ignoreList, protection: protection,
                  escalation: Escalation(config: config), prefixes: config.banPrefixes)
    }

    /// A probe whose source triggered with BLOCK_x=1: its prefix (IPV4/IPV6_BAN_PREFIX) banned
    /// for BAN_TIME, grown for a repeat offender, unless the source is protected; only the source
    /// itself when the prefix holds a protected, local or ignored address (`narrowed` says which).
    /// Detection has already applied the ignore list and the self-traffic rule to the source
    /// (2.x's steps 1–3); `trigger` is the rule it met and the probes that counted.
    /// `byKernel`: the kernel trap banned the source on this probe already (KERNEL_BAN).
    /// `localAddresses` is asked only for a prefix.
    public func decide(probe event: ProbeEvent, trigger: TriggerEvidence? = nil, byKernel: Bool = false,
                       history: any OffenceHistory = NoOffenceHistory(),
                       localAddresses: @autoclosure () -> Set<IPAddress> = LocalAddresses.current(),
                       at time: Int64 = WallClock.nowMs()) -> Result<BanDecision, BanRefusal> {
        let source = event.source.unmapped
        if let refusal = protectionRefusal(for: source) { return .failure(refusal) }
        var evidence = ProbeEvidence(event, trigger: trigger)
        evidence.byKernel = byKernel
        var target = prefixes.prefix(of: source), narrowed: String?
        if !target.isHost, let conflict = conflict(in: target, localAddresses: localAddresses()) {
            narrowed = "\(conflict.description(in: target)); banned the host alone"
            target = CIDR(host: source)
        }
        let offence = history.priorOffences(of: target, at: time) + 1
        let (seconds, term) = escalation.term(base: banSeconds, offence: offence)
        return .success(BanDecision(target: target, seconds: seconds, origin: .probe(evidence), time: time,
                                    offence: offence, term: term, source: source, narrowed: narrowed))
    }

    /// A banned source that probes again: its ban starts again at its own length (never shorter
    /// than what is left), or nil when that would gain less than a tenth of it, at most a minute
    /// (so a source that keeps probing renews at most about once a minute), or it never expires.
    public func renewal(of ban: Ban, at time: Int64 = WallClock.nowMs()) -> BanDecision? {
        let seconds = ban.seconds ?? banSeconds
        guard let expiresAt = ban.expiresAt, seconds > 0 else { return nil }
        let gain = time + Int64(seconds) * 1000 - expiresAt
        guard gain >= min(60_000, Int64(seconds) * 100) else { return nil }
        return BanDecision(target: ban.target, seconds: seconds, origin: ban.origin ?? .manual(reason: nil),
                           time: time, offence: ban.offence, term: .renewed)
    }

    /// Why nothing may be done against `address` (no ban, no KILL_RUN_CMD), if it is protected.
    public func protectionRefusal(for address: IPAddress) -> BanRefusal? {
        let host = address.unmapped
        return protection.protection(of: host).map { .protected(host, $0) }
    }

    /// A manual block of `target` (a host, or a network of at least a /8 or /16, banned as one
    /// element) for `seconds` (nil = BAN_TIME, grown for a repeat offender like a probe ban's), or
    /// why not. A protected address inside refuses it; ignored and local addresses inside need `force`.
    public func decide(manual target: CIDR, seconds: UInt64?, reason: String?, force: Bool,
                       localAddresses: Set<IPAddress>, history: any OffenceHistory = NoOffenceHistory(),
                       at time: Int64 = WallClock.nowMs()) -> Result<BanDecision, BanRefusal> {
        if let refusal = refusal(of: target, allowing: force, localAddresses: localAddresses) { return .failure(refusal) }
        let offence = history.priorOffences(of: target, at: time) + 1
        let (length, term) = seconds.map { (min($0, BanDuration.maximum.seconds), BanTerm.requested) }
            ?? escalation.term(base: banSeconds, offence: offence)
        return .success(BanDecision(target: target, seconds: length, origin: .manual(reason: reason), time: time,
                                    offence: offence, term: term))
    }

    /// A fleet peer's ban of `target` (a host or a range) for `seconds` (at least 1, at most the
    /// longest ban), tagged `source` (`lapi:<origin>`): refused, never shrunk, when anything
    /// protected, ignored or local lies inside, with no force. It keeps the fleet's length (the
    /// fleet decided it) but counts as an offence.
    public func decide(fleet target: CIDR, seconds: UInt64, source: String, localAddresses: Set<IPAddress> = [],
                       history: any OffenceHistory = NoOffenceHistory(),
                       at time: Int64 = WallClock.nowMs()) -> Result<BanDecision, BanRefusal> {
        if let refusal = refusal(of: target, allowing: false, localAddresses: localAddresses) { return .failure(refusal) }
        return .success(BanDecision(target: target, seconds: min(max(seconds, 1), BanDuration.maximum.seconds),
                                    origin: .fleet(source), time: time,
                                    offence: history.priorOffences(of: target, at: time) + 1, term: .fleet))
    }

    /// Whether a saved ban may come back at start-up: not for a protected address, nor a probe
    /// ban of an address since added to the ignore file (manual and fleet bans were decided with
    /// it); for a prefix, nothing protected or (probe bans) ignored inside.
    public func admits(restored ban: Ban) -> BanRefusal? {
        guard let conflict = conflict(in: ban.target, localAddresses: []) else { return nil }
        if conflict.isProtection { return conflict.refusal(banning: ban.target) }
        guard case .probe? = ban.origin else { return nil }
        return conflict.refusal(banning: ban.target)   // in the ignore file (local addresses were not asked)
    }

    /// Why `target` may not be banned by hand or by the fleet: too wide, protected (always), or
    /// ignored or local (unless `force`).
    private func refusal(of target: CIDR, allowing force: Bool, localAddresses: Set<IPAddress>) -> BanRefusal? {
        let shortest = BanPrefixes.shortest(target.family)
        guard target.prefixLength >= shortest else { return .networkTooLarge(shortestPrefix: shortest) }
        guard let conflict = conflict(in: target, localAddresses: localAddresses) else { return nil }
        return force && !conflict.isProtection ? nil : conflict.refusal(banning: target)
    }
}

/// Why the ban policy refused a ban.
public enum BanRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// The address is in the ignore file.
    case ignored(IPAddress)
    /// The address belongs to this host.
    case localAddress(IPAddress)
    /// A network shorter than `BanPrefixes.shortest` of its family.
    case networkTooLarge(shortestPrefix: Int)
    /// The address is protected (docs/configuration.md "Who is never banned").
    case protected(IPAddress, ProtectionReason)
    /// BAN_RATE_LIMIT: more probe bans than `perSecond` arrived within a second.
    case rateLimited(perSecond: Int)

    public var description: String {
        switch self {
        case .ignored(let a): "\(a) is in the ignore file (use --force to block it anyway)"
        case .localAddress(let a): "\(a) is an address of this host (use --force to block it anyway)"
        case .protected(let a, let reason): "\(a) is protected (\(reason.rawValue)); it is never blocked, not even with --force"
        case .networkTooLarge(let p):
            "network too large: the shortest prefix banned is /\(p) (\(BanPrefixes.whyShortest(p == BanPrefixes.shortest(.inet) ? .inet : .inet6)))"
        case .rateLimited(let n): "more than BAN_RATE_LIMIT=\(n) bans a second"
        }
    }
}
