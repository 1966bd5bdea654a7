import Dispatch
import Firewall
import Logging
import PortsentryCore
import Testing
import TestSupport
@testable import Daemon

/// What the metrics count, rendered by a real Prometheus registry: ban events by origin, family
/// and reason; every probe event's one result; the scan-to-ban histogram; totals followed from
/// elsewhere; the gauges read at scrape time.
@Suite struct MetricsCountingTests {
    let host = IPAddress("192.0.2.1")!

    func decision(_ target: String, _ origin: BanOrigin) -> BanDecision {
        let (cidr, _) = try! CIDR.parse(Substring(target))
        return BanDecision(target: cidr, seconds: 60, origin: origin)
    }

    func applied(_ d: BanDecision, refreshed: Bool = false) -> BanEvent {
        .applied(BanResult(decision: d, steps: [EnforcementStep(FakeBackend.step, .applied)], refreshed: refreshed))
    }

    static let probe = BanOrigin.probe(ProbeEvidence(proto: .tcp, port: 23, type: "TCP SYN/Normal scan"))
    static let kernel = BanOrigin.probe(ProbeEvidence(proto: .tcp, port: 23, type: "TCP SYN/Normal scan", byKernel: true))

    @Test func banEventsAreCountedByOriginFamilyAndReason() {
        let metrics = RegistryScrape()
        let counters = metrics.make { BanEventCounters() }
        counters.observe(applied(decision("203.0.113.1", Self.probe)))
        counters.observe(applied(decision("203.0.113.1", Self.probe), refreshed: true))
        counters.observe(applied(decision("2001:db8:1:2::/64", Self.kernel)))
        counters.observe(applied(decision("198.51.100.0/24", .manual(reason: nil))))
        counters.observe(applied(decision("203.0.113.9", .fleet("lapi:crowdsec"))))
        counters.observe(.applied(.failed(decision("203.0.113.2", Self.probe), FakeBackend.step, "set full")))
        counters.observe(.applied(.failed(decision("203.0.113.3", Self.probe), .route(command: "false"), "exit 1")))
        counters.observe(.refused(target: CIDR(host: host), origin: Self.probe, .protected(host, .configured)))
        counters.observe(.refused(target: CIDR(host: host), origin: .fleet("lapi:cscli"), .ignored(host)))
        for reason in [BanRelease.Reason.expired, .expired, .unbanned, .flushed, .evicted, .withdrawn] {
            counters.observe(.released(BanRelease(address: host, reason: reason)))
        }
        counters.banned(origin: "restore", family: .inet6, count: 7)

        #expect(metrics.value(#"portsentry_bans_total{origin="probe",family="ipv4"}"#) == 1)
        #expect(metrics.value(#"portsentry_bans_total{origin="kernel",family="ipv6"}"#) == 1)
        #expect(metrics.value(#"portsentry_bans_total{origin="manual",family="ipv4"}"#) == 1)
        #expect(metrics.value(#"portsentry_bans_total{origin="fleet",family="ipv4"}"#) == 1)
        #expect(metrics.value(#"portsentry_bans_total{origin="restore",family="ipv6"}"#) == 7)
        #expect(metrics.value(#"portsentry_bans_total{origin="fleet",family="ipv6"}"#) == 0)
        #expect(metrics.value(#"portsentry_action_failures_total{action="nftables"}"#) == 1)
        #expect(metrics.value(#"portsentry_action_failures_total{action="route"}"#) == 1)
        #expect(metrics.value(#"portsentry_ban_refusals_total{origin="probe",reason="protected"}"#) == 1)
        #expect(metrics.value(#"portsentry_ban_refusals_total{origin="fleet",reason="ignored"}"#) == 1)
        #expect(metrics.value(#"portsentry_unbans_total{reason="expired"}"#) == 2)
        for reason in ["manual", "flush", "evicted", "withdrawn"] {
            #expect(metrics.value(#"portsentry_unbans_total{reason="\#(reason)"}"#) == 1)
        }
        #expect(metrics.text.contains("# HELP portsentry_bans_total \(MetricName.bans.help)\n# TYPE portsentry_bans_total counter\n"))
        #expect(metrics.text.contains("# TYPE portsentry_unbans_total counter\n"))
    }

    // MARK: The pipeline's events

    struct Rig {
        let log = LogCapture()
        let pipeline: EventPipeline

        init(backend: any BanBackend, configure: (inout Config) -> Void = { _ in }, protected: [CIDR] = []) {
            var config = Config()
            configure(&config)
            let protection = FixedProtection(ProtectedAddresses([.configured: protected]))
            let bans = BanService(backend: backend, policy: BanPolicy(config: config, ignoreList: .empty, protection: protection),
                                  blockedFile: nil, observers: [BanEventLines(logger: log.logger)], logger: log.logger)
            pipeline = EventPipeline(settings: Daemon.pipelineSettings(config), bans: bans, logger: log.logger)
        }

        func drain(_ verdicts: [Verdict]) {
            let done = DispatchSemaphore(value: 0)
            verdicts.forEach(pipeline.submit)
            pipeline.close { done.signal() }
            done.wait()
        }
    }

    func verdict(_ source: String, proto: TransportProtocol = .tcp, ignored: Bool = false, triggered: Bool = true,
                 action: BlockMode? = .block, seenAt: UInt64 = 0) -> Verdict {
        let e = ProbeEvent(source: IPAddress(source)!, destination: host, proto: proto, port: 23,
                           type: proto == .tcp ? .tcpSyn : .udp, ipOptions: .notSet, mode: .stealth, seenAt: seenAt)
        return Verdict(event: e, outcome: ScanOutcome(ignored: ignored, triggered: triggered, noblock: action == nil), action: triggered ? action : nil)
    }

    func events(_ metrics: RegistryScrape, _ proto: String, _ result: ProbeResult) -> Double? {
        metrics.value(#"portsentry_events_total{protocol="\#(proto)",result="\#(result.rawValue)"}"#)
    }

    @Test func everyProbeEventGetsOneResult() {
        let metrics = RegistryScrape()
        let fake = FakeBackend()
        fake.preBan(IPAddress("203.0.113.5")!)
        fake.failBans(of: IPAddress("203.0.113.6")!, reason: "netlink says no")
        let rig = metrics.make { Rig(backend: fake, protected: [CIDR(host: IPAddress("203.0.113.7")!)]) }
        [
            verdict("203.0.113.1", ignored: true),            // ignore file
            verdict("203.0.113.2", triggered: false),         // below SCAN_TRIGGER
            verdict("203.0.113.3", proto: .udp, action: nil), // BLOCK_UDP="0"
            verdict("203.0.113.4"),                           // banned
            verdict("203.0.113.5"),                           // banned already
            verdict("203.0.113.6"),                           // the ban failed
            verdict("203.0.113.7"),                           // protected
        ].forEach(rig.pipeline.submit)
        fake.runScheduled()
        #expect(events(metrics, "tcp", .ignored) == 1)
        #expect(events(metrics, "tcp", .untriggered) == 1)
        #expect(events(metrics, "udp", .logOnly) == 1)
        #expect(events(metrics, "tcp", .blocked) == 1)
        #expect(events(metrics, "tcp", .alreadyBlocked) == 1)
        #expect(events(metrics, "tcp", .failed) == 1)
        #expect(events(metrics, "tcp", .protected) == 1)
        #expect(events(metrics, "udp", .blocked) == 0)
        #expect(events(metrics, "tcp", .serviceRunning) == 0)
        #expect(metrics.text.contains("# TYPE portsentry_events_total counter\n"))
    }

    @Test func banRateLimitAndDryRunHaveResultsOfTheirOwn() {
        let metrics = RegistryScrape()
        let fake = FakeBackend()
        let capped = metrics.make { Rig(backend: fake, configure: { $0.banRateLimit = 1 }) }
        [verdict("203.0.113.10"), verdict("203.0.113.11")].forEach(capped.pipeline.submit)
        fake.runScheduled()
        #expect(events(metrics, "tcp", .blocked) == 1)
        #expect(events(metrics, "tcp", .rateLimited) == 1)
        let dry = metrics.make { Rig(backend: DryRunBackend { _ in [.nftables(table: "portsentry", set: "banned_v4")] }) }
        dry.drain([verdict("203.0.113.12", proto: .udp)])
        #expect(events(metrics, "udp", .dryRun) == 1)
        #expect(events(metrics, "udp", .blocked) == 0)
    }

    @Test func aBanIsTimedFromItsProbesCaptureAndAFailedHookIsAnActionFailure() {
        let metrics = RegistryScrape()
        let fake = FakeBackend()
        let rig = metrics.make { Rig(backend: fake, configure: { $0.killRunCmd = "exit 3" }) }
        rig.pipeline.submit(verdict("203.0.113.20", seenAt: MonotonicClock.now() - 2_000_000_000))
        fake.runScheduled()
        #expect(metrics.value("portsentry_scan_to_ban_seconds_count") == 1)
        #expect(metrics.value(#"portsentry_scan_to_ban_seconds_bucket{le="1.0"}"#) == 0)
        #expect(metrics.value(#"portsentry_scan_to_ban_seconds_bucket{le="2.5"}"#) == 1)
        #expect((metrics.value("portsentry_scan_to_ban_seconds_sum") ?? 0) >= 2)
        #expect(metrics.text.contains("# TYPE portsentry_scan_to_ban_seconds histogram\n"))
        #expect(metrics.value(#"portsentry_action_failures_total{action="run_cmd"}"#) == 1)
    }

    // MARK: Read at scrape time

    @Test func aFollowedTotalAddsWhatItGrewByAndStartsAgainWhenItWentDown() {
        let metrics = RegistryScrape()
        let mirrors = metrics.make { CounterMirrors(.droppedPackets) }
        mirrors.follow(5, labels: [("family", "ipv4")])
        mirrors.follow(7, labels: [("family", "ipv4")])
        mirrors.follow(2, labels: [("family", "ipv6")])
        #expect(metrics.value(#"portsentry_dropped_packets_total{family="ipv4"}"#) == 7)
        mirrors.follow(3, labels: [("family", "ipv4")])
        #expect(metrics.value(#"portsentry_dropped_packets_total{family="ipv4"}"#) == 3)
        #expect(metrics.value(#"portsentry_dropped_packets_total{family="ipv6"}"#) == 2)
    }

    @Test func bansInForceAndTheSetsSizeAreReadAtScrapeTime() async {
        let metrics = RegistryScrape()
        let fake = FakeBackend()
        let bans = BanService(backend: fake, policy: BanPolicy(config: Config(), ignoreList: .empty), blockedFile: nil,
                              logger: LogCapture().logger)
        let gauges = metrics.make { BanTableGauges(bans: bans, capacity: 65_536) }
        fake.preBan(IPAddress("203.0.113.1")!)
        fake.preBan(IPAddress("203.0.113.2")!)
        fake.preBan(try! CIDR.parse("2001:db8:1:2::/64").0)
        await gauges.refresh()
        #expect(metrics.value(#"portsentry_active_bans{family="ipv4"}"#) == 2)
        #expect(metrics.value(#"portsentry_active_bans{family="ipv6"}"#) == 1)
        #expect(metrics.value(#"portsentry_ban_set_capacity{family="ipv6"}"#) == 65_536)
        #expect(metrics.text.contains("# TYPE portsentry_active_bans gauge\n"))
    }

    @Test func dropCountersAreReadOnTheBackendsThread() async {
        let metrics = RegistryScrape()
        let fake = FakeBackend()
        fake.setDropCounts([.inet: DropCount(packets: 3, bytes: 180), .inet6: DropCount(packets: 1, bytes: 80)])
        let bans = BanService(backend: fake, policy: BanPolicy(config: Config(), ignoreList: .empty), blockedFile: nil,
                              logger: LogCapture().logger)
        let reading = metrics.make { DropCounterReading(bans: bans) }
        async let read: Void = reading.read()
        #expect(await eventually { fake.hasScheduled })
        #expect(fake.dropReads == 0)
        fake.runScheduled()
        await read
        #expect(fake.dropReads == 1)
        #expect(metrics.value(#"portsentry_dropped_packets_total{family="ipv4"}"#) == 3)
        #expect(metrics.value(#"portsentry_dropped_bytes_total{family="ipv4"}"#) == 180)
        #expect(metrics.value(#"portsentry_dropped_bytes_total{family="ipv6"}"#) == 80)
    }
}
