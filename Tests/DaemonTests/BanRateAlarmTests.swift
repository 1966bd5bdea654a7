import Firewall
import PortsentryCore
import Synchronization
import Testing
import TestSupport
@testable import Daemon

/// BAN_RATE_ALARM against a hand-moved clock: the threshold, once a minute, the busiest networks.
@Suite struct BanRateAlarmTests {
    final class Clock: Sendable {
        let ms = Mutex<Int64>(1_000_000)
        func advance(_ d: Int64) { ms.withLock { $0 += d } }
    }
    let clock = Clock()
    let log = LogCapture()

    func alarm(_ perSecond: Int) -> BanRateAlarm {
        BanRateAlarm(perSecond: perSecond, logger: log.logger, clock: { [clock] in clock.ms.withLock { $0 } })
    }

    func banned(_ address: String, _ status: EnforcementStep.Outcome = .applied, refreshed: Bool = false) -> BanEvent {
        let d = BanDecision(target: CIDR(host: IPAddress(address)!), seconds: 60, origin: .manual(reason: nil))
        return .applied(BanResult(decision: d, steps: [EnforcementStep(FakeBackend.step, status)], refreshed: refreshed))
    }

    var alarms: [String] { log.entries.filter { $0.level == .warning }.map(\.text) }

    @Test func bansUpToTheRateWithinASecondRaiseNoAlarmOneMoreDoes() {
        let a = alarm(10)
        for i in 1...10 { a.observe(banned("198.51.100.\(i)")); clock.advance(90) }
        #expect(alarms.isEmpty)
        clock.advance(100)   // the window has ended: the next ten start a new one
        for i in 11...20 { a.observe(banned("198.51.100.\(i)")) }
        #expect(alarms.isEmpty)
        clock.advance(50)
        a.observe(banned("203.0.113.1"))
        #expect(alarms == ["attackalert: Ban rate alarm: 11 new bans within 50 ms (about 220/s, BAN_RATE_ALARM=10); busiest /24 198.51.100.0/24 (10), busiest /48 none. The sources may be forged; this warning repeats at most once a minute"])
    }

    @Test func theAlarmRepeatsAtMostOnceAMinute() {
        let a = alarm(2)
        for second in 0..<61 {
            for i in 1...5 { a.observe(banned("10.\(second).0.\(i)")) }
            clock.advance(1000)
        }
        #expect(alarms.count == 2)   // at 0 s and at 60 s
        #expect(alarms[1].contains("busiest /24 10.60.0.0/24 (3)"))
    }

    @Test func theBusiestNetworksOfEachFamilyAreNamed() {
        let a = alarm(5)
        for address in ["10.1.1.1", "10.2.2.1", "10.2.2.2", "10.2.2.3", "2001:db8:1:5::1", "2001:db8:1:6::1", "2001:db8:2::1"] {
            a.observe(banned(address))
        }
        #expect(alarms.count == 1)
        #expect(alarms[0].contains("busiest /24 10.2.2.0/24 (3), busiest /48 2001:db8:1::/48 (2)"))
    }

    @Test func dryRunsAndRateLimitedBansCountRefreshesAndFailuresDoNot() {
        let a = alarm(3)
        a.observe(banned("10.0.0.1", .failed("x")))
        a.observe(banned("10.0.0.2", refreshed: true))
        a.observe(.released(BanRelease(address: IPAddress("10.0.0.3")!, reason: .evicted)))
        a.observe(.refused(target: CIDR(host: IPAddress("10.0.0.4")!), origin: .manual(reason: nil), .ignored(IPAddress("10.0.0.4")!)))
        a.observe(banned("10.0.0.5", .simulated))
        a.observe(.refused(target: CIDR(host: IPAddress("10.0.0.6")!), origin: .manual(reason: nil), .rateLimited(perSecond: 1)))
        a.observe(banned("10.0.0.7"))
        #expect(alarms.isEmpty)
        a.observe(banned("10.0.0.8"))
        #expect(alarms.count == 1 && alarms[0].hasPrefix("attackalert: Ban rate alarm: 4 new bans"))
    }

    @Test func zeroTurnsItOffAndAReloadChangesTheRate() {
        let a = alarm(0)
        for i in 1...50 { a.observe(banned("10.0.0.\(i)")) }
        #expect(alarms.isEmpty)
        a.update(perSecond: 49)
        clock.advance(1000)
        for i in 1...50 { a.observe(banned("10.0.0.\(i)")) }
        #expect(alarms.count == 1)
    }

    @Test func heavyHittersKeepAHeavyKeyAmongManyDistinctOnes() {
        var tally = HeavyHitters<Int>(capacity: 8)
        for i in 0..<10_000 { tally.add(i % 3 == 0 ? -1 : i) }   // -1 is a third of the stream
        #expect(tally.top()?.key == -1)
        var exact = HeavyHitters<Int>(capacity: 8)
        for k in [3, 1, 3, 2, 1, 3] { exact.add(k) }
        #expect(exact.top()! == (3, 3))
    }
}
