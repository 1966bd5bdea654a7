/// BAN_RATE_LIMIT: at most `perSecond` probe bans a second, as a token bucket that holds one
/// second's worth (a burst of `perSecond` passes at once, then one every 1/`perSecond` s).
/// A plain value on the caller's clock, in milliseconds; O(1).
public struct BanRateLimit: Sendable, Hashable {
    public let perSecond: Int
    /// Tokens in thousandths: one ban costs 1,000; each millisecond adds `perSecond`.
    private var milliTokens: Int64
    private var refilledAt: Int64?

    public init(perSecond: Int) {
        self.perSecond = perSecond
        milliTokens = Int64(perSecond) * 1000
    }

    /// Whether one more ban fits at `now` (then it is counted).
    public mutating func admit(at now: Int64) -> Bool {
        let full = Int64(perSecond) * 1000
        if let refilledAt { milliTokens = min(full, milliTokens + max(0, now - refilledAt) * Int64(perSecond)) }
        refilledAt = now
        guard milliTokens >= 1000 else { return false }
        milliTokens -= 1000
        return true
    }
}
