import Firewall
import PortsentryCore
import Synchronization

/// A `BanBackend` for tests of what sits above the ban seam: it records every batch it is given,
/// answers with the results the test chose, and runs scheduled work only when the test says so
/// (`runScheduled`), so batching is deterministic.
public final class FakeBackend: BanBackend {
    private struct State {
        var scheduled: [@Sendable () -> Void] = []
        var batches: [[BanDecision]] = []
        var banned: Set<CIDR> = []
        var hits: [IPAddress: Int] = [:]
        var failures: [IPAddress: String] = [:]
        var toDisplace: [IPAddress] = []
        var trapFullSince: [AddressFamily: UInt64] = [:]
        var dropCounts: [AddressFamily: DropCount]?
        var dropReads = 0
    }
    private let state = Mutex(State())
    public let expiries: AsyncStream<BanRelease>
    private let expirySink: AsyncStream<BanRelease>.Continuation

    public init() {
        (expiries, expirySink) = AsyncStream.makeStream(of: BanRelease.self)
    }

    public var kind: BackendKind { .nftables }
    public var keepsBans: Bool { true }

    /// The enforcement step the fake reports.
    public static let step = Enforcement.nftables(table: "fake", set: "banned")

    // MARK: Test controls

    /// Every batch `apply` received, in order.
    public var batches: [[BanDecision]] { state.withLock { $0.batches } }
    /// Already-banned hits counted per address.
    public func hits(_ address: IPAddress) -> Int { state.withLock { $0.hits[address] ?? 0 } }
    /// Makes bans of `address` fail with `reason`.
    public func failBans(of address: IPAddress, reason: String) { state.withLock { $0.failures[address] = reason } }
    /// Marks `address` banned, as if an earlier run had banned it.
    public func preBan(_ address: IPAddress) { preBan(CIDR(host: address)) }
    /// Marks `target` (a host or a prefix) banned.
    public func preBan(_ target: CIDR) { state.withLock { _ = $0.banned.insert(target) } }
    /// Makes the next new ban displace `address`, as a full nftables set evicts a ban.
    public func displaceOnNextBan(_ address: IPAddress) { state.withLock { $0.toDisplace.append(address) } }
    /// Says the kernel trap's set of `family` was first seen full at `since` (nil: it has room).
    public func setTrapFull(_ family: AddressFamily, since: UInt64?) { state.withLock { $0.trapFullSince[family] = since } }
    /// Reports an expiry, as the real backend's maintenance does.
    public func expire(_ address: IPAddress) {
        state.withLock { _ = $0.banned.remove(CIDR(host: address)) }
        expirySink.yield(BanRelease(address: address, reason: .expired))
    }
    /// What `dropCounters` answers from now on.
    public func setDropCounts(_ counts: [AddressFamily: DropCount]?) { state.withLock { $0.dropCounts = counts } }
    /// How often `dropCounters` was read.
    public var dropReads: Int { state.withLock { $0.dropReads } }
    /// Whether work waits to be run (`runScheduled`).
    public var hasScheduled: Bool { state.withLock { !$0.scheduled.isEmpty } }
    /// Runs the scheduled work (and whatever it schedules) on the calling thread, in order.
    public func runScheduled() {
        while case let work = state.withLock({ s -> [@Sendable () -> Void] in defer { s.scheduled = [] }; return s.scheduled }),
              !work.isEmpty {
            work.forEach { $0() }
        }
    }

    // MARK: BanBackend

    public func schedule(_ work: @escaping @Sendable () -> Void) { state.withLock { $0.scheduled.append(work) } }

    public func kernelTrapFullSince(_ family: AddressFamily) -> UInt64? { state.withLock { $0.trapFullSince[family] } }

    public func apply(_ decisions: [BanDecision]) -> [BanResult] {
        state.withLock { s in
            s.batches.append(decisions)
            return decisions.map { d in
                if let why = s.failures[d.address] { return .failed(d, Self.step, why) }
                let refreshed = !s.banned.insert(d.target).inserted
                let ban = Ban(target: d.target, expiresAt: d.seconds == 0 ? nil : d.time + Int64(d.seconds) * 1000,
                              origin: d.origin, since: d.time)
                var displaced: [BanRelease] = []
                if !refreshed, !s.toDisplace.isEmpty {
                    let victim = s.toDisplace.removeFirst()
                    s.banned.remove(CIDR(host: victim))
                    displaced = [BanRelease(address: victim, reason: .evicted)]
                }
                return BanResult(decision: d, steps: [EnforcementStep(Self.step, .applied)], ban: ban, refreshed: refreshed,
                                 displaced: displaced)
            }
        }
    }

    public func lift(_ targets: [CIDR]) throws(BanBackendError) -> [CIDR] {
        state.withLock { s in
            let inside = s.banned.filter { b in targets.contains { $0.overlaps(b) } }
            s.banned.subtract(inside)
            return inside.sorted()
        }
    }

    public func flush() throws(BanBackendError) -> [CIDR] {
        state.withLock { s in defer { s.banned = [] }; return s.banned.sorted() }
    }

    public func isBanned(_ address: IPAddress) -> Bool { state.withLock { $0.banned.contains { $0.contains(address) } } }
    public func bans() -> [Ban] { state.withLock { $0.banned.sorted().map { Ban(target: $0, expiresAt: nil) } } }
    public func recordHit(_ address: IPAddress) { state.withLock { $0.hits[address, default: 0] += 1 } }
    public func dropCounters() -> [AddressFamily: DropCount]? { state.withLock { $0.dropReads += 1; return $0.dropCounts } }
    public func maintain() async {}
    public func shutdown() async { expirySink.finish() }
}
