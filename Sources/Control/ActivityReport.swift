import Firewall
import PortsentryCore

/// What `portsentry-ctl stats` and `top` show of the daemon's recent activity: probes and new
/// bans per minute over the last hour, the busiest sources and ports of the last minutes, the
/// live bans by origin and what the ban rules dropped.
public struct ActivityReport: Codable, Sendable, Hashable {
    /// When the report was made, seconds since the Unix epoch.
    public var at: Int64
    /// Probes that reached detection per wall-clock minute, oldest first; the last value is the
    /// current minute so far. One value per minute of the last hour (60).
    public var probesPerMinute: [Int]
    /// New bans per minute (refreshes not counted), aligned with `probesPerMinute`.
    public var bansPerMinute: [Int]
    /// How many minutes `topSources` and `topPorts` cover: the current one and those before it.
    public var topMinutes: Int
    /// The sources that sent the most probes in `topMinutes`, most first.
    public var topSources: [SourceCount]
    /// The ports probed most in `topMinutes`, most first.
    public var topPorts: [PortCount]
    /// The top counts are lower bounds: more distinct sources or ports than the daemon's fixed
    /// tables hold were seen (a flood, perhaps of forged sources).
    public var approximate: Bool
    /// The bans in force, by what made them.
    public var liveBans: BansByOrigin
    /// What the ban rules dropped since the table was made; nil when the backend does not
    /// count (legacy commands, dry run) or could not read its counters.
    public var dropped: DroppedTraffic?

    public init(at: Int64, probesPerMinute: [Int], bansPerMinute: [Int], topMinutes: Int, topSources: [SourceCount],
                topPorts: [PortCount], approximate: Bool, liveBans: BansByOrigin, dropped: DroppedTraffic? = nil) {
        self.at = at; self.probesPerMinute = probesPerMinute; self.bansPerMinute = bansPerMinute
        self.topMinutes = topMinutes; self.topSources = topSources; self.topPorts = topPorts
        self.approximate = approximate; self.liveBans = liveBans; self.dropped = dropped
    }

    /// Probes from one source.
    public struct SourceCount: Codable, Sendable, Hashable {
        public var address: String
        public var probes: Int
        public init(address: String, probes: Int) { self.address = address; self.probes = probes }
    }

    /// Probes of one port.
    public struct PortCount: Codable, Sendable, Hashable {
        /// `TCP` or `UDP`.
        public var proto: String
        public var port: UInt16
        public var probes: Int
        public init(proto: String, port: UInt16, probes: Int) { self.proto = proto; self.port = port; self.probes = probes }
    }
}

/// Packets and bytes the ban rules dropped, per address family (nftables: the named counters
/// `dropped_v4` and `dropped_v6`).
public struct DroppedTraffic: Codable, Sendable, Hashable {
    public var ipv4: DropCount
    public var ipv6: DropCount

    public init(ipv4: DropCount, ipv6: DropCount) { self.ipv4 = ipv4; self.ipv6 = ipv6 }

    /// The backend's counts; a family it did not report counts zero.
    public init(_ counts: [AddressFamily: DropCount]) {
        let none = DropCount(packets: 0, bytes: 0)
        self.init(ipv4: counts[.inet] ?? none, ipv6: counts[.inet6] ?? none)
    }
}

/// Live bans counted by what made them (`BanOrigin.kind`), and those the daemon took over when
/// it started (from STATE_FILE, or found in the kernel without a record): `restore`.
public struct BansByOrigin: Codable, Sendable, Hashable {
    public var probe = 0
    public var kernel = 0
    public var manual = 0
    public var fleet = 0
    public var restore = 0

    public init(probe: Int = 0, kernel: Int = 0, manual: Int = 0, fleet: Int = 0, restore: Int = 0) {
        self.probe = probe; self.kernel = kernel; self.manual = manual; self.fleet = fleet; self.restore = restore
    }

    /// Counts `bans`: a ban made before `startedAt` (wall-clock milliseconds) or without a
    /// record counts as `restore`, whatever made it first.
    public init(_ bans: [Ban], startedAt: Int64) {
        for ban in bans {
            guard let origin = ban.origin, let since = ban.since, since >= startedAt else { restore += 1; continue }
            switch origin {
            case .probe(let evidence): if evidence.byKernel { kernel += 1 } else { probe += 1 }
            case .manual: manual += 1
            case .fleet: fleet += 1
            }
        }
    }

    public var total: Int { probe + kernel + manual + fleet + restore }
}
