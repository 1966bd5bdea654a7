import Dispatch
import Firewall
import PortsentryCore
import Testing
import TestSupport
@testable import Daemon

/// What the pipeline tells EVENT_LOG: each event's result, after its ban's line, in event order.
@Suite struct PipelineEventLogTests {
    let here = IPAddress("192.0.2.1")!

    func verdict(_ source: String, port: UInt16 = 23, outcome: ScanOutcome = ScanOutcome(ignored: false, triggered: true, noblock: false),
                 action: BlockMode? = .block) -> Verdict {
        let e = ProbeEvent(source: IPAddress(source)!, destination: here, proto: .tcp, port: port,
                           type: .tcpSyn, ipOptions: .notSet, mode: .stealth)
        return Verdict(event: e, outcome: outcome, action: action)
    }

    /// The `result`s (or `kind/result` of ban lines) of the lines written for `verdicts`.
    func results(_ verdicts: [Verdict], backend: any BanBackend, protect: [CIDR] = [], banRateLimit: Int = 0,
                 passed: ProbeEvent? = nil) -> [String] {
        let dir = makeTempDir(); defer { removeTree(dir) }
        let log = LogCapture()
        let events = EventLog(.file(dir + "/events"), logger: log.logger)
        var config = Config()
        config.banTime = 3600
        config.banRateLimit = banRateLimit
        let policy = BanPolicy(config: config, ignoreList: .empty,
                               protection: FixedProtection(ProtectedAddresses([.configured: protect])))
        let bans = BanService(backend: backend, policy: policy, blockedFile: nil, observers: [events], logger: log.logger)
        let pipeline = EventPipeline(settings: Daemon.pipelineSettings(config), bans: bans, events: events, logger: log.logger)
        if let passed { EngineSink(engine: DetectionEngine(settings: DetectionSettings(config: config, ignoreList: .empty, localCheck: true)),
                                   pipeline: pipeline, activity: ActivityRecorder()).passed(passed, as: .serviceRunning) }
        verdicts.forEach(pipeline.submit)
        let done = DispatchSemaphore(value: 0)
        pipeline.close { done.signal() }
        if let fake = backend as? FakeBackend { fake.runScheduled() }
        done.wait()
        let flushed = DispatchSemaphore(value: 0)
        events.flush { flushed.signal() }
        flushed.wait()
        return (readText(dir + "/events") ?? "").split(separator: "\n").map { line in
            func value(_ key: String) -> String {
                guard let r = line.range(of: "\"\(key)\":\"") else { return "?" }
                return String(line[r.upperBound...].prefix { $0 != "\"" })
            }
            return value("kind") == "probe" ? value("result") : value("kind") + "/" + value("result")
        }
    }

    @Test func eachOutcomeHasItsResult() {
        let verdicts = [
            verdict("203.0.113.1", outcome: ScanOutcome(ignored: true), action: nil),
            verdict("203.0.113.2", outcome: ScanOutcome(ignored: false, triggered: false), action: nil),
            verdict("203.0.113.3", outcome: ScanOutcome(ignored: false, triggered: true, noblock: true, blocked: false), action: nil),
            verdict("203.0.113.4"),
            verdict("203.0.113.4", port: 24),
            verdict("203.0.113.5"),
            verdict("203.0.113.6"),
        ]
        let fake = FakeBackend()
        fake.failBans(of: IPAddress("203.0.113.6")!, reason: "netlink: Operation not permitted")
        #expect(results(verdicts, backend: fake, protect: [CIDR(host: IPAddress("203.0.113.5")!)]) == [
            "ignored", "untriggered", "log_only",
            "ban/banned", "blocked",
            "already_blocked",
            "ban/refused", "protected",
            "ban/failed", "failed",
        ])
    }

    @Test func aDryRunAndTheRateLimit() {
        let dry = DryRunBackend { _ in [.nftables(table: "portsentry", set: "banned_v4")] }
        #expect(results([verdict("203.0.113.8")], backend: dry) == ["ban/dry_run", "dry_run"])
        #expect(results([verdict("203.0.113.9"), verdict("203.0.113.10")], backend: FakeBackend(), banRateLimit: 1)
            == ["ban/banned", "blocked", "ban/refused", "rate_limited"])
    }

    @Test func aPacketTheSentryLetPassIsWrittenToo() {
        #expect(results([], backend: FakeBackend(), passed: verdict("203.0.113.11").event) == ["service_running"])
    }
}
