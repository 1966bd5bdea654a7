import Glibc

/// How bans grow for repeat offenders: the n-th ban of a target within OFFENCE_MEMORY lasts
/// BAN_TIME × BAN_TIME_INCREMENT^(n − 1), at most BAN_TIME_MAX (fail2ban's bantime.increment).
public struct Escalation: Sendable, Hashable {
    /// BAN_TIME_INCREMENT; 1 = every ban lasts BAN_TIME.
    public var factor: Double
    /// BAN_TIME_MAX in seconds.
    public var maxSeconds: UInt64
    /// OFFENCE_MEMORY in seconds: how long an offence counts after its ban ended.
    public var memorySeconds: UInt64

    public static let off = Escalation(factor: 1, maxSeconds: BanDuration.maximum.seconds, memorySeconds: 30 * 86_400)

    public init(factor: Double, maxSeconds: UInt64, memorySeconds: UInt64) {
        self.factor = max(1, factor)
        self.maxSeconds = min(maxSeconds, BanDuration.maximum.seconds)
        self.memorySeconds = memorySeconds
    }

    public init(config: Config) {
        self.init(factor: config.banTimeIncrement, maxSeconds: config.banTimeMax ?? BanDuration.maximum.seconds,
                  memorySeconds: config.offenceMemory)
    }

    /// The length of offence `n` (1-based) of a ban of `base` seconds, and its term; a ban that
    /// never expires (`base` 0) stays so.
    public func term(base: UInt64, offence n: Int) -> (seconds: UInt64, term: BanTerm) {
        guard base > 0 else { return (0, .configured(base: 0, factor: factor, capped: false)) }
        let grown = Double(base) * pow(factor, Double(max(0, n - 1)))
        let cap = max(maxSeconds, base)
        let capped = grown > Double(cap)
        return (capped ? cap : UInt64(grown.rounded()), .configured(base: base, factor: factor, capped: capped))
    }
}

/// What the ban policy needs to know of the past: how many bans a target had within
/// OFFENCE_MEMORY. The daemon's ban ledger answers; tests use a dictionary.
public protocol OffenceHistory: Sendable {
    /// The target's earlier bans still remembered at `now` (0 for a first offender).
    func priorOffences(of target: CIDR, at now: Int64) -> Int
}

/// No history: every ban is a first offence (portsentry-ctl offline, and tests).
public struct NoOffenceHistory: OffenceHistory {
    public init() {}
    public func priorOffences(of target: CIDR, at now: Int64) -> Int { 0 }
}
