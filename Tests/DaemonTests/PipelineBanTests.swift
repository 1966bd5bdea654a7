import Dispatch
import Firewall
import Logging
import PortsentryCore
import Testing
import TestSupport
@testable import Daemon

/// The pipeline's ban branch against a fake backend: batching, already-banned hits, failure
/// lines, the order of each event's lines, dry runs. No root, no kernel.
@Suite struct PipelineBanTests {
    let target = IPAddress("192.0.2.1")!

    func verdict(_ source: String, port: UInt16 = 23, seenAt: UInt64 = 0) -> Verdict {
        let e = ProbeEvent(source: IPAddress(source)!, destination: target, proto: .tcp, port: port,
                           type: .tcpSyn, ipOptions: .notSet, mode: .stealth, seenAt: seenAt)
        return Verdict(event: e, outcome: ScanOutcome(ignored: false, triggered: true, noblock: false), action: .block)
    }

    func scan(_ source: String, port: UInt16 = 23, blocked: Bool) -> String {
        "Scan from: [\(source)] (\(source)) protocol: [TCP] port: [\(port)] type: [TCP SYN/Normal scan] IP opts: [not set] ignored: [false] triggered: [true] noblock: [false] blocked: [\(blocked)]"
    }

    func nftLine(_ source: String) -> String {
        "attackalert: Host \(source) has been blocked via nftables set inet fake banned for 1h"
    }

    struct Rig {
        let backend: any BanBackend
        let log = LogCapture()
        let pipeline: EventPipeline
        let blockedFile: String

        init(backend: any BanBackend, dir: String, killRunCmd: String? = nil, banRateLimit: Int = 0) {
            self.backend = backend
            blockedFile = dir + "/blocked"
            var config = Config()
            config.banTime = 3600
            config.killRunCmd = killRunCmd
            config.banRateLimit = banRateLimit
            let bans = BanService(backend: backend, policy: BanPolicy(config: config, ignoreList: .empty),
                                  blockedFile: BlockedFile(path: blockedFile), observers: [BanEventLines(logger: log.logger)],
                                  logger: log.logger)
            pipeline = EventPipeline(settings: Daemon.pipelineSettings(config), bans: bans, logger: log.logger)
        }
    }

    @Test func aProbeToTheKernelTrapIsTheKernelsBanUnlessItsSetIsFull() throws {
        let dir = makeTempDir(); defer { removeTree(dir) }
        let fake = FakeBackend()
        let rig = Rig(backend: fake, dir: dir)
        rig.pipeline.setKernelTrap(KernelTrap(watchedTCP: PortSet([23...23]), watchedUDP: .empty, servedTCP: .empty, servedUDP: .empty,
                                              ephemeral: 32768...60999, exempt: [], ingress: .any, banSeconds: 3600))
        rig.pipeline.submit(verdict("203.0.113.1", seenAt: 100))
        fake.runScheduled()
        // The trap set was found full at 200: a probe captured before was banned by the kernel
        // (the daemon lags), one captured after by the daemon alone.
        fake.setTrapFull(.inet, since: 200)
        rig.pipeline.submit(verdict("203.0.113.2", seenAt: 150))
        rig.pipeline.submit(verdict("203.0.113.3", seenAt: 250))
        fake.runScheduled()
        let kernels = fake.batches.flatMap { $0 }.map { d -> Bool in
            if case .probe(let e) = d.origin { return e.byKernel }
            return false
        }
        #expect(kernels == [true, true, false])
        let byKernel = " (by the kernel, on the probe's own packet)"
        #expect(rig.log.texts.filter { $0.hasPrefix("attackalert: Host") } == [
            nftLine("203.0.113.1") + byKernel, nftLine("203.0.113.2") + byKernel, nftLine("203.0.113.3"),
        ])
    }

    @Test func verdictsQueuedTogetherAreOneBatchAndEachEventKeepsItsLinesTogether() {
        let dir = makeTempDir(); defer { removeTree(dir) }
        let fake = FakeBackend()
        let rig = Rig(backend: fake, dir: dir)
        ["203.0.113.1", "203.0.113.2", "203.0.113.3"].forEach { rig.pipeline.submit(verdict($0)) }
        fake.runScheduled()
        #expect(fake.batches.map { $0.map(\.address.description) } == [["203.0.113.1", "203.0.113.2", "203.0.113.3"]])
        #expect(fake.batches[0].allSatisfy { $0.seconds == 3600 })
        #expect(rig.log.texts == [
            nftLine("203.0.113.1"), scan("203.0.113.1", blocked: true),
            nftLine("203.0.113.2"), scan("203.0.113.2", blocked: true),
            nftLine("203.0.113.3"), scan("203.0.113.3", blocked: true),
        ])
        #expect(readBytes(rig.blockedFile)?.count == 18)
    }

    @Test func alreadyBannedSourcesAreCountedAndReportedOncePerMinute() {
        let dir = makeTempDir(); defer { removeTree(dir) }
        let fake = FakeBackend()
        fake.preBan(IPAddress("203.0.113.9")!)
        let rig = Rig(backend: fake, dir: dir)
        for port in [1, 2, 3] as [UInt16] { rig.pipeline.submit(verdict("203.0.113.9", port: port)) }
        fake.runScheduled()
        #expect(fake.batches.isEmpty)
        #expect(fake.hits(IPAddress("203.0.113.9")!) == 3)
        #expect(rig.log.texts == ["attackalert: Host: 203.0.113.9/203.0.113.9 is already blocked Ignoring (1 events in the last minute)"])
    }

    @Test func aSecondEventOfTheSameSourceInOneBatchIsNotBannedTwice() {
        let dir = makeTempDir(); defer { removeTree(dir) }
        let fake = FakeBackend()
        let rig = Rig(backend: fake, dir: dir)
        rig.pipeline.submit(verdict("203.0.113.4", port: 1))
        rig.pipeline.submit(verdict("203.0.113.4", port: 2))
        fake.runScheduled()
        #expect(fake.batches.map(\.count) == [1])
        #expect(rig.log.texts == [nftLine("203.0.113.4"), scan("203.0.113.4", port: 1, blocked: true),
                                  "attackalert: Host: 203.0.113.4/203.0.113.4 is already blocked Ignoring (1 events in the last minute)"])
    }

    @Test func aFailedBanSaysWhyAndTheScanLineIsNotBlocked() {
        let dir = makeTempDir(); defer { removeTree(dir) }
        let fake = FakeBackend()
        fake.failBans(of: IPAddress("203.0.113.5")!, reason: "the IPv4 ban set is full (NFT_SET_SIZE)")
        let rig = Rig(backend: fake, dir: dir)
        rig.pipeline.submit(verdict("203.0.113.5"))
        rig.pipeline.submit(verdict("203.0.113.6"))
        fake.runScheduled()
        #expect(rig.log.texts == [
            "attackalert: Could not add 203.0.113.5 to the nftables ban set: the IPv4 ban set is full (NFT_SET_SIZE)",
            "attackalert: Error during target dispose 203.0.113.5/203.0.113.5!",
            scan("203.0.113.5", blocked: false),
            nftLine("203.0.113.6"), scan("203.0.113.6", blocked: true),
        ])
        #expect(rig.log.entries[0].level == .error)
        #expect(readBytes(rig.blockedFile)?.count == 6)
    }

    @Test func killRunCmdRunsAfterTheBanAndItsLineFollowsTheBanLine() {
        let dir = makeTempDir(); defer { removeTree(dir) }
        let fake = FakeBackend()
        let rig = Rig(backend: fake, dir: dir, killRunCmd: "echo $TARGET$ >> \(dir)/ran")
        rig.pipeline.submit(verdict("203.0.113.7"))
        fake.runScheduled()
        #expect(readText("\(dir)/ran") == "203.0.113.7\n")
        #expect(rig.log.texts == [
            nftLine("203.0.113.7"),
            "attackalert: External command run for host: 203.0.113.7 using command: \"echo 203.0.113.7 >> \(dir)/ran\"",
            scan("203.0.113.7", blocked: true),
        ])
    }

    @Test func aDryRunLogsTheWouldBeBanAndBlocksNothing() {
        let dir = makeTempDir(); defer { removeTree(dir) }
        let dry = DryRunBackend { _ in [.nftables(table: "portsentry", set: "banned_v4")] }
        let rig = Rig(backend: dry, dir: dir)
        let done = DispatchSemaphore(value: 0)
        rig.pipeline.submit(verdict("203.0.113.8"))
        rig.pipeline.submit(verdict("203.0.113.8", port: 24))
        rig.pipeline.close { done.signal() }
        done.wait()
        #expect(rig.log.texts == [
            "attackalert: Dry run: host 203.0.113.8 would have been blocked via nftables",
            scan("203.0.113.8", blocked: false),
            "attackalert: Dry run: host 203.0.113.8 would have been blocked via nftables",
            scan("203.0.113.8", port: 24, blocked: false),
        ])
        #expect(!rig.log.texts.contains { $0.contains("Error during target dispose") })
        #expect(readBytes(rig.blockedFile) == nil)
    }

    @Test func aBanThatDisplacesAnotherTakesItOutOfTheBlockedFileAndSaysSo() {
        let dir = makeTempDir(); defer { removeTree(dir) }
        let fake = FakeBackend()
        let rig = Rig(backend: fake, dir: dir)
        rig.pipeline.submit(verdict("203.0.113.10"))
        fake.runScheduled()
        #expect(BlockedFile(path: rig.blockedFile).load() == [IPAddress("203.0.113.10")!])
        fake.displaceOnNextBan(IPAddress("203.0.113.10")!)
        rig.pipeline.submit(verdict("203.0.113.11"))
        fake.runScheduled()
        #expect(Array(rig.log.texts.suffix(3)) == [
            "Ban of 203.0.113.10 lifted (evicted)",
            nftLine("203.0.113.11"), scan("203.0.113.11", blocked: true),
        ])
        #expect(BlockedFile(path: rig.blockedFile).load() == [IPAddress("203.0.113.11")!])
        #expect(!fake.isBanned(IPAddress("203.0.113.10")!))
    }

    @Test func banRateLimitRefusesProbeBansBeyondItWithAReasonAndAWarning() {
        let dir = makeTempDir(); defer { removeTree(dir) }
        let fake = FakeBackend()
        let rig = Rig(backend: fake, dir: dir, banRateLimit: 2)
        ["203.0.113.21", "203.0.113.22", "203.0.113.23", "203.0.113.24"].forEach { rig.pipeline.submit(verdict($0)) }
        fake.runScheduled()
        #expect(fake.batches.map { $0.map(\.address.description) } == [["203.0.113.21", "203.0.113.22"]])
        #expect(rig.log.texts == [
            "BAN_RATE_LIMIT=2 reached: 1 probe bans refused (scan lines say blocked: [false]); this warning repeats at most once a minute",
            nftLine("203.0.113.21"), scan("203.0.113.21", blocked: true),
            nftLine("203.0.113.22"), scan("203.0.113.22", blocked: true),
            "Not blocking 203.0.113.23: more than BAN_RATE_LIMIT=2 bans a second", scan("203.0.113.23", blocked: false),
            "Not blocking 203.0.113.24: more than BAN_RATE_LIMIT=2 bans a second", scan("203.0.113.24", blocked: false),
        ])
        #expect(readBytes(rig.blockedFile)?.count == 12)
    }

    @Test func withoutBanRateLimitNothingIsCapped() {
        let dir = makeTempDir(); defer { removeTree(dir) }
        let fake = FakeBackend()
        let rig = Rig(backend: fake, dir: dir)
        (0..<20_000).forEach { rig.pipeline.submit(verdict("10.\($0 >> 8).\($0 & 255).1")) }
        fake.runScheduled()
        #expect(fake.batches.reduce(0) { $0 + $1.count } == 20_000)
    }
}
