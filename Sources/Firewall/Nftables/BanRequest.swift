import PortsentryCore

/// One ban to commit.
public struct BanRequest: Sendable, Hashable {
    /// A host, or a prefix (an element of the prefix set of its length).
    public var target: CIDR
    /// Ban length in seconds, 0 = no expiry; nil = BAN_TIME.
    public var seconds: UInt64?
    public var origin: BanOrigin?
    /// When it was asked for, wall-clock milliseconds.
    public var time: Int64
    /// Which ban of the source it is (1 = its first).
    public var offence: Int

    public init(_ target: CIDR, seconds: UInt64? = nil, origin: BanOrigin? = nil, time: Int64 = WallClock.nowMs(),
                offence: Int = 1) {
        self.target = target; self.seconds = seconds; self.origin = origin; self.time = time; self.offence = offence
    }

    /// A host ban.
    public init(_ address: IPAddress, seconds: UInt64? = nil, origin: BanOrigin? = nil, time: Int64 = WallClock.nowMs(),
                offence: Int = 1) {
        self.init(CIDR(host: address), seconds: seconds, origin: origin, time: time, offence: offence)
    }
}

/// What a committed ban request did.
public enum BanOutcome: Sendable, Hashable {
    /// The source was not banned and now is; in a full set, the ban it displaced (evicted, or
    /// expired already) left the set in the same transaction.
    case banned(Ban, displacing: BanRelease? = nil)
    /// The source was banned already; its timeout starts again.
    case refreshed(Ban)
    /// The family's set is at NFT_SET_SIZE and no ban could be evicted: the source is not banned.
    case setFull(AddressFamily)
}

/// Counters for `portsentry-ctl status`.
public struct BanMetrics: Sendable, Hashable {
    /// Live bans per family.
    public var live: [AddressFamily: Int] = [.inet: 0, .inet6: 0]
    /// New bans committed since start (refreshes not counted).
    public var totalBans = 0
    public var refreshes = 0
    /// Ban requests refused because a set was full.
    public var setFullEvents = 0
    /// Bans evicted from a full set to make room for new ones.
    public var evictions = 0
    /// libnftables transactions run for bans (one per tick).
    public var banTransactions = 0
    /// Times the table was found missing and rebuilt.
    public var restores = 0
}
