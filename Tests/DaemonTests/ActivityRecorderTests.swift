import Control
import Firewall
import PortsentryCore
import Synchronization
import Testing
import TestSupport
@testable import Daemon

/// The activity behind `portsentry-ctl stats` and `top`, against a hand-moved wall clock:
/// minute buckets rolling over, the top sources and ports bounded under a flood, bans by origin.
@Suite struct ActivityRecorderTests {
    final class Clock: Sendable {
        /// 2023-11-14 22:13:00 UTC, the start of a minute.
        let ms = Mutex<Int64>(1_700_000_000_000 - 1_700_000_000_000 % 60_000)
        func advance(seconds: Int64) { ms.withLock { $0 += seconds * 1000 } }
        var now: Int64 { ms.withLock { $0 } }
    }
    let clock = Clock()

    func recorder() -> ActivityRecorder { ActivityRecorder(clock: { [clock] in clock.now }) }

    func probe(_ source: String, port: UInt16 = 23, _ proto: TransportProtocol = .tcp) -> ProbeEvent {
        ProbeEvent(source: IPAddress(source)!, destination: IPAddress("192.0.2.1")!, proto: proto, port: port,
                   type: proto == .tcp ? .tcpSyn : .udp, ipOptions: .notSet, mode: .stealth)
    }

    func ban(_ address: String, origin: BanOrigin = .manual(reason: nil), _ outcome: EnforcementStep.Outcome = .applied,
             refreshed: Bool = false) -> BanEvent {
        let d = BanDecision(target: CIDR(host: IPAddress(address)!), seconds: 60, origin: origin)
        return .applied(BanResult(decision: d, steps: [EnforcementStep(FakeBackend.step, outcome)], refreshed: refreshed))
    }

    @Test func probesAndBansFallInTheMinuteTheyHappenedOldestFirst() {
        let r = recorder()
        for _ in 0..<3 { r.record(probe("198.51.100.1")) }
        r.observe(ban("198.51.100.1"))
        clock.advance(seconds: 59)        // still the same minute
        r.record(probe("198.51.100.2"))
        clock.advance(seconds: 1)         // the next minute
        for _ in 0..<5 { r.record(probe("198.51.100.3")) }
        let report = r.report(liveBans: [])
        #expect(report.probesPerMinute.count == 60)
        #expect(report.bansPerMinute.count == 60)
        #expect(Array(report.probesPerMinute.suffix(3)) == [0, 4, 5])
        #expect(Array(report.bansPerMinute.suffix(3)) == [0, 1, 0])
        #expect(report.at == clock.now / 1000)
    }

    @Test func minutesOlderThanAnHourRollOffAndQuietMinutesAreZero() {
        let r = recorder()
        r.record(probe("198.51.100.1"))
        clock.advance(seconds: 59 * 60)   // the first minute is the oldest of the hour
        #expect(r.report(liveBans: []).probesPerMinute.first == 1)
        r.record(probe("198.51.100.1"))
        clock.advance(seconds: 60)        // now it is gone; its slot is reused by this minute
        r.record(probe("198.51.100.1"))
        r.record(probe("198.51.100.1"))
        let report = r.report(liveBans: [])
        #expect(report.probesPerMinute.reduce(0, +) == 3)
        #expect(Array(report.probesPerMinute.suffix(2)) == [1, 2])
        clock.advance(seconds: 3 * 3600)  // hours of silence: every bucket is stale
        #expect(r.report(liveBans: []).probesPerMinute == Array(repeating: 0, count: 60))
    }

    @Test func onlyNewBansCount() {
        let r = recorder()
        r.observe(ban("198.51.100.1"))
        r.observe(ban("198.51.100.1", refreshed: true))
        r.observe(ban("198.51.100.2", .failed("no")))
        r.observe(ban("198.51.100.3", .simulated))
        r.observe(.released(BanRelease(address: IPAddress("198.51.100.1")!, reason: .expired)))
        #expect(r.report(liveBans: []).bansPerMinute.last == 1)
    }

    @Test func topSourcesAndPortsCoverTheLastTenMinutesMostFirst() {
        let r = recorder()
        for _ in 0..<50 { r.record(probe("203.0.113.9", port: 111)) }   // 11 minutes ago: out of the window
        clock.advance(seconds: 60)
        for _ in 0..<3 { r.record(probe("198.51.100.7", port: 23)) }
        for _ in 0..<2 { r.record(probe("2001:db8::5", port: 53, .udp)) }
        clock.advance(seconds: 9 * 60)   // that minute is the oldest of the ten
        r.record(probe("198.51.100.7", port: 25))
        r.record(probe("198.51.100.8", port: 23))
        let report = r.report(liveBans: [])
        #expect(report.topMinutes == 10)
        #expect(report.topSources == [.init(address: "198.51.100.7", probes: 4), .init(address: "2001:db8::5", probes: 2),
                                      .init(address: "198.51.100.8", probes: 1)])
        #expect(report.topPorts == [.init(proto: "TCP", port: 23, probes: 4), .init(proto: "UDP", port: 53, probes: 2),
                                    .init(proto: "TCP", port: 25, probes: 1)])
        #expect(!report.approximate)
    }

    @Test func aFloodOfForgedSourcesStaysBoundedAndKeepsTheRealScanner() {
        let r = recorder()
        // 20,000 distinct forged sources on 2,000 ports, with one real scanner making a tenth of the probes.
        for i in 0..<20_000 {
            r.record(probe("10.\(i >> 16).\(i >> 8 & 255).\(i & 255)", port: UInt16(1000 + i % 2000)))
            if i % 9 == 0 { r.record(probe("192.0.2.66", port: 22)) }
        }
        let report = r.report(liveBans: [])
        #expect(report.topSources.count == ActivityRecorder.topCount)
        #expect(report.topSources.first?.address == "192.0.2.66")
        #expect(report.topPorts.first.map { "\($0.proto)/\($0.port)" } == "TCP/22")
        #expect(report.approximate)
        #expect(report.probesPerMinute.last == 20_000 + 2_223)   // the counts per minute stay exact
    }

    @Test func liveBansAreCountedByOriginAndBansFromBeforeTheStartAsRestored() {
        let r = recorder()
        let before = clock.now - 1
        clock.advance(seconds: 5)
        let after = clock.now
        func live(_ address: String, _ origin: BanOrigin?, since: Int64?) -> Ban {
            Ban(address: IPAddress(address)!, expiresAt: nil, origin: origin, since: since)
        }
        let probe = BanOrigin.probe(ProbeEvidence(proto: .tcp, port: 23, type: "TCP SYN/Normal scan"))
        let kernel = BanOrigin.probe(ProbeEvidence(proto: .tcp, port: 23, type: "TCP SYN/Normal scan", byKernel: true))
        let bans = [
            live("198.51.100.1", probe, since: after), live("198.51.100.2", probe, since: after),
            live("198.51.100.3", kernel, since: after), live("198.51.100.4", .manual(reason: "x"), since: after),
            live("198.51.100.5", .fleet("lapi:crowdsec"), since: after),
            live("198.51.100.6", probe, since: before), live("198.51.100.7", nil, since: nil),
        ]
        #expect(r.report(liveBans: bans).liveBans == BansByOrigin(probe: 2, kernel: 1, manual: 1, fleet: 1, restore: 2))
    }
}
