/// What is remembered of a target's bans: how many within OFFENCE_MEMORY, and the last one in
/// full (its decision, evidence and end), for escalation and `portsentry-ctl explain`.
public struct BanRecord: Sendable, Hashable {
    public var target: CIDR
    /// Bans of the target within OFFENCE_MEMORY, the last one included.
    public var offences: Int
    /// The last ban as decided: origin with its evidence, length, offence number and term.
    public var last: BanDecision
    /// When the last ban expires (or expired), wall-clock ms; nil = never.
    public var expiresAt: Int64?
    /// How and when the last ban ended; nil while it holds.
    public var ended: (time: Int64, reason: BanRelease.Reason)? {
        get { endTime.map { ($0, endReason ?? .expired) } }
        set { endTime = newValue?.time; endReason = newValue?.reason }
    }
    private var endTime: Int64?
    private var endReason: BanRelease.Reason?

    public init(target: CIDR, offences: Int, last: BanDecision, expiresAt: Int64?,
                ended: (time: Int64, reason: BanRelease.Reason)? = nil) {
        self.target = target; self.offences = offences; self.last = last; self.expiresAt = expiresAt
        self.endTime = ended?.time; self.endReason = ended?.reason
    }

    /// When the last ban stops holding: its end, or its expiry; nil while it holds for ever.
    public var over: Int64? { endTime ?? expiresAt }

    /// Whether its offences still count at `now`: the ban holds, or it ended less than
    /// `memorySeconds` ago.
    public func remembered(at now: Int64, memorySeconds: UInt64) -> Bool {
        guard let over else { return true }
        return over > now || now - over < Int64(memorySeconds) * 1000
    }
}
