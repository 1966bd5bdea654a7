import Firewall
import Logging
import PortsentryCore
import Testing
import TestSupport
@testable import Daemon

/// The pipeline with prefix bans (IPV6_BAN_PREFIX): a source inside a banned prefix is already
/// banned, and two sources of one prefix in a batch make one ban.
@Suite struct PipelinePrefixTests {
    func verdict(_ source: String) -> Verdict {
        let e = ProbeEvent(source: IPAddress(source)!, destination: IPAddress("2001:db8:ffff::1")!, proto: .tcp, port: 23,
                           type: .tcpSyn, ipOptions: .notSet, mode: .stealth)
        return Verdict(event: e, outcome: ScanOutcome(ignored: false, triggered: true, noblock: false), action: .block)
    }

    func pipeline(_ fake: FakeBackend, _ log: LogCapture) -> EventPipeline {
        var config = Config()
        config.banTime = 3600
        let bans = BanService(backend: fake, policy: BanPolicy(config: config, ignoreList: .empty), blockedFile: nil,
                              observers: [BanEventLines(logger: log.logger)], localAddresses: { [] }, logger: log.logger)
        return EventPipeline(settings: Daemon.pipelineSettings(config), bans: bans, logger: log.logger)
    }

    @Test func aSourceInsideABannedPrefixIsAlreadyBanned() throws {
        let fake = FakeBackend(), log = LogCapture()
        fake.preBan(try CIDR.parse("2001:db8:1:2::/64").cidr)
        let p = pipeline(fake, log)
        p.submit(verdict("2001:db8:1:2::77"))
        fake.runScheduled()
        #expect(fake.batches.isEmpty)
        #expect(fake.hits(IPAddress("2001:db8:1:2::77")!) == 1)
    }

    @Test func twoSourcesOfOnePrefixInOneBatchMakeOneBan() throws {
        let fake = FakeBackend(), log = LogCapture()
        let p = pipeline(fake, log)
        ["2001:db8:1:2::a", "2001:db8:1:2::b", "2001:db8:1:3::a"].forEach { p.submit(verdict($0)) }
        fake.runScheduled()
        #expect(fake.batches.map { $0.map(\.target.description) } == [["2001:db8:1:2::/64", "2001:db8:1:3::/64"]])
        #expect(fake.batches[0][0].source == IPAddress("2001:db8:1:2::a"))
        #expect(log.texts.contains("attackalert: Host 2001:db8:1:2::a has been blocked via nftables set inet fake banned for 1h (prefix 2001:db8:1:2::/64)"))
    }
}
