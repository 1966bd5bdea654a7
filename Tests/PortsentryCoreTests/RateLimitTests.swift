import PortsentryCore
import Testing

/// BAN_RATE_LIMIT's token bucket and the once-per-interval report helpers, on a hand-moved clock.
@Suite struct RateLimitTests {
    @Test func aSecondsWorthPassesAtOnceThenOneEveryOneOverTheRate() {
        var limit = BanRateLimit(perSecond: 4)
        func admits(_ n: Int, at now: Int64) -> [Bool] { (0..<n).map { _ in limit.admit(at: now) } }
        #expect(admits(6, at: 1000) == [true, true, true, true, false, false])
        #expect(admits(1, at: 1249) == [false])
        #expect(admits(2, at: 1250) == [true, false])   // a quarter second: one more
        #expect(admits(6, at: 60_000).filter { $0 }.count == 4)   // a long pause refills one second's worth, no more
    }

    @Test func aGatePassesOncePerInterval() {
        var gate = IntervalGate(interval: 60_000)
        let passes = [5, 60_004, 60_005, 60_006].map { gate.pass(at: $0) }
        #expect(passes == [true, false, true, false])
    }

    @Test func aTallyReportsTheFirstAtOnceThenTheNumberSinceOncePerInterval() {
        var tally = ReportTally(interval: 60_000)
        let reports = [tally.add(at: 0), tally.add(at: 10), tally.add(2, at: 20), tally.due(at: 59_999), tally.due(at: 60_000),
                       tally.due(at: 200_000), tally.add(at: 200_001)]
        #expect(reports == [1, nil, nil, nil, 3, nil, 1])   // nothing pending at 200 s
    }
}

