import Firewall
import Logging
import PortsentryCore
import Synchronization

/// BAN_RATE_ALARM: when more new bans than `perSecond` arrive within a second — the mark of a
/// flood of forged sources — one warning, at most once a minute, with the rate and the busiest
/// /24 (IPv4) and /48 (IPv6) among those bans. Counts over one-second windows, each opened by its
/// first ban, and the networks with a bounded heavy-hitter table: fixed memory, O(1) per event
/// amortised. Hears new bans, a dry run's would-be bans and bans refused by BAN_RATE_LIMIT.
final class BanRateAlarm: BanObserver {
    private struct State {
        var perSecond: Int
        var windowStart: Int64?
        var count = 0
        var v4 = HeavyHitters<CIDR>(capacity: 64), v6 = HeavyHitters<CIDR>(capacity: 64)
        var gate = IntervalGate(interval: 60_000)
    }
    private let state: Mutex<State>
    private let logger: Logger
    /// Milliseconds on a monotonic clock (tests move it by hand).
    private let clock: @Sendable () -> Int64

    init(perSecond: Int, logger: Logger, clock: @escaping @Sendable () -> Int64 = { Int64(MonotonicClock.now() / 1_000_000) }) {
        state = Mutex(State(perSecond: perSecond))
        self.logger = logger
        self.clock = clock
    }

    /// A reload: the new BAN_RATE_ALARM (0 = off).
    func update(perSecond: Int) { state.withLock { $0.perSecond = perSecond } }

    func observe(_ event: BanEvent) {
        guard let address = Self.newBan(event) else { return }
        let now = clock()
        let line = state.withLock { s -> String? in
            guard s.perSecond > 0 else { return nil }
            if s.windowStart.map({ now - $0 >= 1000 }) ?? true {
                s.windowStart = now; s.count = 0
                s.v4.removeAll(); s.v6.removeAll()
            }
            s.count += 1
            let host = address.unmapped
            if host.family == .inet { s.v4.add(CIDR(address: host, prefixLength: 24)) } else { s.v6.add(CIDR(address: host, prefixLength: 48)) }
            guard s.count > s.perSecond, s.gate.pass(at: now) else { return nil }
            return Self.line(s, elapsed: now - s.windowStart!)
        }
        if let line { logger.warning("\(line)") }
    }

    /// The source of a ban that is new (or would be: dry run, BAN_RATE_LIMIT), nil for other events.
    private static func newBan(_ event: BanEvent) -> IPAddress? {
        switch event {
        case .applied(let result) where result.status == .banned || result.status == .dryRun: result.decision.address
        case .refused(let target, _, .rateLimited): target.network
        default: nil
        }
    }

    private static func line(_ s: State, elapsed: Int64) -> String {
        func busiest(_ tally: HeavyHitters<CIDR>) -> String {
            tally.top().map { "\($0.key) (\($0.count))" } ?? "none"
        }
        let rate = Int64(s.count) * 1000 / max(elapsed, 1)
        return "attackalert: Ban rate alarm: \(s.count) new bans within \(elapsed) ms (about \(rate)/s, BAN_RATE_ALARM=\(s.perSecond)); "
            + "busiest /24 \(busiest(s.v4)), busiest /48 \(busiest(s.v6)). The sources may be forged; this warning repeats at most once a minute"
    }
}
