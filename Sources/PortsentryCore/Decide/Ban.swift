import Glibc

/// One live ban as a backend that keeps its bans knows it.
public struct Ban: Sendable, Hashable {
    /// Whom it holds: a host, or a network (a prefix ban, one element of a prefix set).
    public var target: CIDR
    /// Expiry, wall-clock milliseconds since the epoch; nil = never expires.
    public var expiresAt: Int64?
    /// What made the first ban; nil when the ban was found in the kernel with no record.
    public var origin: BanOrigin?
    /// When the first ban was made, wall-clock milliseconds; nil when unknown.
    public var since: Int64?
    /// Probes seen from the source since it was banned (already-banned events).
    public var hits: Int
    /// Which ban of the source this is within OFFENCE_MEMORY (1 = its first).
    public var offence: Int
    /// The ban's length in seconds (0 = no expiry): what a renewal starts again.
    public var seconds: UInt64?

    public init(target: CIDR, expiresAt: Int64?, origin: BanOrigin? = nil, since: Int64? = nil, hits: Int = 0,
                offence: Int = 1, seconds: UInt64? = nil) {
        self.target = target; self.expiresAt = expiresAt; self.origin = origin; self.since = since; self.hits = hits
        self.offence = offence; self.seconds = seconds
    }

    /// A ban of one host.
    public init(address: IPAddress, expiresAt: Int64?, origin: BanOrigin? = nil, since: Int64? = nil, hits: Int = 0,
                offence: Int = 1, seconds: UInt64? = nil) {
        self.init(target: CIDR(host: address), expiresAt: expiresAt, origin: origin, since: since, hits: hits,
                  offence: offence, seconds: seconds)
    }

    /// The banned host, or the network address of a prefix ban.
    public var address: IPAddress { target.network }
    public var family: AddressFamily { target.family }

    /// Milliseconds left at `now`; nil = never expires; 0 once expired.
    public func timeLeftMs(at now: Int64 = WallClock.nowMs()) -> Int64? {
        expiresAt.map { max(0, $0 - now) }
    }

    /// Whether the ban still holds at `now`.
    public func isLive(at now: Int64) -> Bool { expiresAt.map { $0 > now } ?? true }
}

/// Why a ban ended.
public struct BanRelease: Sendable, Hashable {
    /// `evicted`: its family's set was full and a new ban took its place (docs/nftables.md).
    /// `withdrawn`: the fleet (CrowdSec's LAPI) deleted the decision behind a fleet ban.
    public enum Reason: String, Sendable, Hashable { case expired, unbanned, flushed, evicted, withdrawn }
    /// The ban that ended: a host or a prefix.
    public var target: CIDR
    public var reason: Reason

    public init(target: CIDR, reason: Reason) { self.target = target; self.reason = reason }
    public init(address: IPAddress, reason: Reason) { self.init(target: CIDR(host: address), reason: reason) }

    /// The host, or the network address of a prefix.
    public var address: IPAddress { target.network }
}

/// Wall-clock time in milliseconds since the epoch (CLOCK_REALTIME): ban times and expiries.
public enum WallClock {
    public static func nowMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
