import Control
import Firewall
import PortsentryCore
import Synchronization

/// What `portsentry-ctl stats` and `top` show (`ActivityReport`): probes and new bans per
/// wall-clock minute over the last hour, and the busiest sources and ports of the last ten
/// minutes. Hears every probe that reaches detection (`record`, on the capture threads) and
/// every ban event (on the backend's thread). Fixed memory whatever the traffic — an hour of
/// minute counters and, per minute of the last ten, a heavy-hitter table of sources and one of
/// ports — and one lock with O(1) work (amortised) per event.
final class ActivityRecorder: BanObserver {
    /// Minutes of probe and ban counts.
    static let hourMinutes = 60
    /// Minutes that the top sources and ports cover (the current one and those before it).
    static let topMinutes = 10
    /// Sources and ports in a report.
    static let topCount = 10
    /// Counters of each minute's heavy-hitter tables: with more distinct sources (or ports) in a
    /// minute, counts are lower bounds, and a key with more than 1/129 of the minute's probes is
    /// still always kept.
    static let tableCapacity = 128

    /// A port as probes name it.
    struct ProbedPort: Hashable, Comparable, Sendable {
        var proto: TransportProtocol
        var port: UInt16

        static func < (a: Self, b: Self) -> Bool { (a.proto.rawValue, a.port) < (b.proto.rawValue, b.port) }
    }

    private struct Counts: Sendable {
        var probes = 0
        var bans = 0
    }

    private struct Talkers: Sendable {
        var probes = 0
        var sources = HeavyHitters<IPAddress>(capacity: ActivityRecorder.tableCapacity)
        var ports = HeavyHitters<ProbedPort>(capacity: ActivityRecorder.tableCapacity)

        /// Whether a table dropped keys (its counts add up to fewer than the minute's probes).
        var overflowed: Bool {
            sources.counts.values.reduce(0, +) < probes || ports.counts.values.reduce(0, +) < probes
        }
    }

    private struct State: Sendable {
        var counts = MinuteRing(count: ActivityRecorder.hourMinutes, empty: Counts())
        var talkers = MinuteRing(count: ActivityRecorder.topMinutes, empty: Talkers())
    }

    private let state = Mutex(State())
    /// Wall-clock milliseconds since the epoch (tests move it by hand).
    private let clock: @Sendable () -> Int64
    /// When recording started, wall-clock milliseconds: bans made before were taken over at
    /// start-up (`BansByOrigin.restore`).
    let startedAt: Int64

    init(clock: @escaping @Sendable () -> Int64 = { WallClock.nowMs() }) {
        self.clock = clock
        startedAt = clock()
    }

    /// Counts one probe that reached detection.
    func record(_ event: ProbeEvent) {
        let minute = clock() / 60_000
        state.withLock { s in
            s.counts.update(minute) { $0.probes += 1 }
            s.talkers.update(minute) { t in
                t.probes += 1
                t.sources.add(event.source)
                t.ports.add(ProbedPort(proto: event.proto, port: event.port))
            }
        }
    }

    /// Counts new bans (not refreshes, failures or a dry run's would-be bans), as `status` does.
    func observe(_ event: BanEvent) {
        guard case .applied(let result) = event, result.status == .banned else { return }
        let minute = clock() / 60_000
        state.withLock { $0.counts.update(minute) { $0.bans += 1 } }
    }

    /// The activity now, with `liveBans` (the ban service's) counted by origin and what the
    /// backend `dropped` (nil: it does not count).
    func report(liveBans: [Ban], dropped: [AddressFamily: DropCount]? = nil) -> ActivityReport {
        let now = clock()
        let minute = now / 60_000
        let (counts, talkers) = state.withLock { ($0.counts.values(upTo: minute), $0.talkers.values(upTo: minute)) }
        return ActivityReport(
            at: now / 1000,
            probesPerMinute: counts.map(\.probes), bansPerMinute: counts.map(\.bans),
            topMinutes: Self.topMinutes,
            topSources: Self.top(talkers.map(\.sources)).map { .init(address: "\($0.key)", probes: $0.count) },
            topPorts: Self.top(talkers.map(\.ports)).map { .init(proto: $0.key.proto.rawValue, port: $0.key.port, probes: $0.count) },
            approximate: talkers.contains { $0.overflowed },
            liveBans: BansByOrigin(liveBans, startedAt: startedAt), dropped: dropped.map(DroppedTraffic.init))
    }

    /// The keys counted most over `tables` together, most first (equal counts: smallest key first).
    private static func top<Key: Comparable>(_ tables: [HeavyHitters<Key>]) -> [(key: Key, count: Int)] {
        var sums: [Key: Int] = [:]
        for table in tables { sums.merge(table.counts, uniquingKeysWith: +) }
        return sums.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(topCount).map { ($0.key, $0.value) }
    }
}
