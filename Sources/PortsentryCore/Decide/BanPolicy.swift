/// The one place that turns "this source triggered", "the admin asked" or "this ban was saved"
/// into ban decisions, or into a refusal with its reason. Every ban path goes through it: the
/// pipeline, portsentry-ctl (daemon and offline), state-file restores and, later, fleet bans.
/// A plain value: the daemon replaces it on reload.
public struct BanPolicy: Sendable {
    /// The largest network a manual block expands into hosts.
    public static let maxNetworkHosts = 256

    /// BAN_TIME in seconds (0 = no expiry), for bans that name no length.
    public var banSeconds: UInt64
    /// IGNORE_FILE (with its `.static` part): never banned unless an admin forces it.
    public var ignoreList: IgnoreList
    /// Addresses never banned by any path, not even with force.
    public var protection: any ProtectionSource
    /// How bans grow for repeat offenders (BAN_TIME_INCREMENT, BAN_TIME_MAX, OFFENCE_MEMORY).
    public var escalation: Escalation

    public init(banSeconds: UInt64, ignoreList: IgnoreList, protection: any ProtectionSource = FixedProtection(),
                escalation: Escalation = .off) {
        self.banSeconds = min(banSeconds, BanDuration.maximum.seconds)
        self.ignoreList = ignoreList
        self.protection = protection
        self.escalation = escalation
    }

    public init(config: Config, ignoreList: IgnoreList, protection: any ProtectionSource = FixedProtection()) {
        self.init(banSeconds: config.banTime, ignoreList: ignoreList, protection: protection, escalation: Escalation(config: config))
    }

    /// A probe whose source triggered with BLOCK_x=1: banned for BAN_TIME, grown for a repeat
    /// offender, unless it is protected. Detection has already applied the ignore list and the
    /// self-traffic rule (2.x's steps 1–3); `trigger` is the rule it met and the probes that counted.
    /// `byKernel`: the kernel trap banned the source on this probe already (KERNEL_BAN).
    public func decide(probe event: ProbeEvent, trigger: TriggerEvidence? = nil, byKernel: Bool = false,
                       history: any OffenceHistory = NoOffenceHistory(),
                       at time: Int64 = WallClock.nowMs()) -> Result<BanDecision, BanRefusal> {
        if let refusal = protectionRefusal(for: event.source) { return .failure(refusal) }
        var evidence = ProbeEvidence(event, trigger: trigger)
        evidence.byKernel = byKernel
        let target = CIDR(host: event.source)
        let offence = history.priorOffences(of: target, at: time) + 1
        let (seconds, term) = escalation.term(base: banSeconds, offence: offence)
        return .success(BanDecision(target: target, seconds: seconds, origin: .probe(evidence), time: time,
                                    offence: offence, term: term))
    }

    /// A banned source that probes again: its ban starts again at its own length (never shorter
    /// than what is left), or nil when that would gain less than a tenth of it, at most a minute
    /// (so a source that keeps probing renews at most about once a minute), or it never expires.
    public func renewal(of ban: Ban, at time: Int64 = WallClock.nowMs()) -> BanDecision? {
        let seconds = ban.seconds ?? banSeconds
        guard let expiresAt = ban.expiresAt, seconds > 0 else { return nil }
        let gain = time + Int64(seconds) * 1000 - expiresAt
        guard gain >= min(60_000, Int64(seconds) * 100) else { return nil }
        return BanDecision(target: CIDR(host: ban.address), seconds: seconds, origin: ban.origin ?? .manual(reason: nil),
                           time: time, offence: ban.offence, term: .renewed)
    }

    /// Why nothing may be done against `address` (no ban, no KILL_RUN_CMD), if it is protected.
    public func protectionRefusal(for address: IPAddress) -> BanRefusal? {
        let host = address.unmapped
        return protection.protection(of: host).map { .protected(host, $0) }
    }

    /// A manual block of `target`: its hosts (a network of at most `maxNetworkHosts`), each for
    /// `seconds` (nil = BAN_TIME), or why not. Ignored and local addresses need `force`.
    /// Without `seconds` a host's ban is BAN_TIME grown for a repeat offender, like a probe ban's.
    public func decide(manual target: CIDR, seconds: UInt64?, reason: String?, force: Bool,
                       localAddresses: Set<IPAddress>, history: any OffenceHistory = NoOffenceHistory(),
                       at time: Int64 = WallClock.nowMs()) -> Result<[BanDecision], BanRefusal> {
        let width = target.network.family == .inet ? 32 : 128
        let hostBits = width - target.prefixLength
        guard hostBits <= 8 else { return .failure(.networkTooLarge(shortestPrefix: width - 8)) }
        let hosts = (0..<(1 << hostBits)).map { target.network.adding(UInt8($0)) }
        if let refusal = hosts.lazy.compactMap(protectionRefusal(for:)).first { return .failure(refusal) }
        if !force {
            if let host = hosts.first(where: ignoreList.contains) { return .failure(.ignored(host)) }
            if let host = hosts.first(where: { localAddresses.contains($0.unmapped) }) { return .failure(.localAddress(host)) }
        }
        return .success(hosts.map { host in
            let target = CIDR(host: host)
            let offence = history.priorOffences(of: target, at: time) + 1
            let (length, term) = seconds.map { (min($0, BanDuration.maximum.seconds), BanTerm.requested) }
                ?? escalation.term(base: banSeconds, offence: offence)
            return BanDecision(target: target, seconds: length, origin: .manual(reason: reason), time: time, offence: offence, term: term)
        })
    }

    /// A fleet peer's ban of `address` for `seconds` (at least 1, at most the longest ban), tagged
    /// `source` (`lapi:<origin>`): refused for protected and ignored addresses, with no force.
    /// It keeps the fleet's length (the fleet decided it) but counts as an offence.
    public func decide(fleet address: IPAddress, seconds: UInt64, source: String,
                       history: any OffenceHistory = NoOffenceHistory(),
                       at time: Int64 = WallClock.nowMs()) -> Result<BanDecision, BanRefusal> {
        let host = address.unmapped
        if let refusal = protectionRefusal(for: host) { return .failure(refusal) }
        if ignoreList.contains(host) { return .failure(.ignored(host)) }
        let target = CIDR(host: host)
        return .success(BanDecision(target: target, seconds: min(max(seconds, 1), BanDuration.maximum.seconds),
                                    origin: .fleet(source), time: time,
                                    offence: history.priorOffences(of: target, at: time) + 1, term: .fleet))
    }

    /// Whether a saved ban may come back at start-up: not for a protected address, nor a probe
    /// ban of an address since added to the ignore file (manual and fleet bans were decided with it).
    public func admits(restored ban: Ban) -> BanRefusal? {
        if let refusal = protectionRefusal(for: ban.address) { return refusal }
        guard case .probe? = ban.origin, ignoreList.contains(ban.address) else { return nil }
        return .ignored(ban.address)
    }
}

/// Why the ban policy refused a ban.
public enum BanRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// The address is in the ignore file.
    case ignored(IPAddress)
    /// The address belongs to this host.
    case localAddress(IPAddress)
    /// A manual network block larger than `BanPolicy.maxNetworkHosts` addresses.
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
            "network too large: at most \(BanPolicy.maxNetworkHosts) addresses can be blocked at once (use a /\(p) or longer prefix)"
        case .rateLimited(let n): "more than BAN_RATE_LIMIT=\(n) bans a second"
        }
    }
}

extension IPAddress {
    /// The address plus `offset` in its last byte (the host part of a network of up to 256 addresses).
    func adding(_ offset: UInt8) -> IPAddress {
        switch self {
        case .v4(let a): .v4(a + UInt32(offset))
        case .v6(let h, let l): .v6(high: h, low: l + UInt64(offset))
        }
    }
}
