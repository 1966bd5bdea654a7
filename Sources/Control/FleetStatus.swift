/// The CrowdSec link as `status` shows it: reachability, push queue, pull counters and the
/// fleet bans held by origin. Never a secret.
public struct FleetStatus: Codable, Sendable, Hashable {
    /// CROWDSEC_LAPI_URL.
    public var url: String
    public var push: Bool
    public var pull: Bool
    /// Whether the last request reached the LAPI; nil before the first.
    public var reachable: Bool?
    /// Why the last request failed, if it did.
    public var lastError: String?
    /// Decisions the LAPI accepted from us, and when last (seconds since the epoch).
    public var pushed: UInt64 = 0
    public var lastPushAt: Int64?
    /// Bans waiting to be pushed, and bans dropped because the queue was full.
    public var queueDepth: Int = 0
    public var queueDropped: UInt64 = 0
    /// Pulled decisions applied (hosts and `Range` prefixes), refused by the ban policy,
    /// rejected as malformed, recognised as our own; and the last successful pull.
    public var pulled: UInt64 = 0
    public var refused: UInt64 = 0
    public var invalid: UInt64 = 0
    public var echoes: UInt64 = 0
    public var lastPullAt: Int64?
    /// Pushes and pulls that failed (LAPI down, refused, or a bad answer), since start.
    public var pushFailures: UInt64 = 0
    public var pullFailures: UInt64 = 0
    /// Fleet bans in force by source (`lapi:crowdsec` ...).
    public var bansByOrigin: [String: Int] = [:]

    public init(url: String, push: Bool, pull: Bool) {
        self.url = url; self.push = push; self.pull = pull
    }
}
