import Logging
import PortsentryCore

/// BAN_RATE_LIMIT on the pipeline's probe bans (manual bans are the administrator's and are not
/// capped): a probe ban beyond the cap is refused, and a warning at most once a minute says how
/// many were. Unset, it admits everything.
struct BanRateCap: Sendable {
    private var bucket: BanRateLimit?
    private var refusals = ReportTally(interval: 60_000)

    /// BAN_RATE_LIMIT as configured (0 = no cap); an unchanged limit keeps its bucket.
    mutating func configure(_ perSecond: Int) {
        guard bucket?.perSecond ?? 0 != perSecond else { return }
        bucket = perSecond > 0 ? BanRateLimit(perSecond: perSecond) : nil
    }

    /// Why one more probe ban may not go ahead at `now` (milliseconds), or nil.
    mutating func refusal(at now: Int64, logger: Logger) -> BanRefusal? {
        guard var bucket else { return nil }
        defer { self.bucket = bucket }
        if bucket.admit(at: now) { return nil }
        if let n = refusals.add(at: now) {
            logger.warning("BAN_RATE_LIMIT=\(bucket.perSecond) reached: \(n) probe bans refused (scan lines say blocked: [false]); this warning repeats at most once a minute")
        }
        return .rateLimited(perSecond: bucket.perSecond)
    }
}
