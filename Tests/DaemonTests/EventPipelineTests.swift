import Dispatch
import Firewall
import Glibc
import Logging
import PortsentryCore
import Synchronization
import Testing
import TestSupport
@testable import Daemon

@Suite struct EventPipelineTests {
    let scanner = IPAddress("192.0.2.7")!

    func event(port: UInt16 = 31337, proto: TransportProtocol = .tcp) -> ProbeEvent {
        ProbeEvent(source: scanner, destination: IPAddress("192.0.2.1")!, proto: proto, port: port,
                   type: proto == .tcp ? .tcpSyn : .udp, ipOptions: .notSet, mode: .stealth)
    }

    func verdict(_ e: ProbeEvent, action: BlockMode? = .block) -> Verdict {
        Verdict(event: e, outcome: ScanOutcome(ignored: false, triggered: true, noblock: action == nil), action: action)
    }

    /// Runs the pipeline over `verdicts` with a legacy config writing into `dir`.
    func run(_ verdicts: [Verdict], dir: String, configure: (inout Config) -> Void = { _ in }) -> LogCapture {
        var config = Config()
        config.killRoute = "echo route $TARGET$ >> \(dir)/order"
        config.killRunCmd = "echo run $TARGET$ $PORT$ >> \(dir)/order"
        config.killHostsDeny = "ALL: $TARGET$"
        config.historyFile = "\(dir)/history"
        config.blockedFile = "\(dir)/blocked"
        configure(&config)
        let captured = LogCapture()
        let backend = CommandBackend(hostsDeny: config.killHostsDeny, route: config.killRoute,
                                     hostsDenyFile: HostsDenyFile(path: "\(dir)/hosts.deny"))
        let bans = BanService(backend: backend, policy: BanPolicy(config: config, ignoreList: .empty),
                              blockedFile: config.blockedFile.map(BlockedFile.init(path:)),
                              observers: [BanEventLines(logger: captured.logger)], logger: captured.logger)
        let pipeline = EventPipeline(settings: Daemon.pipelineSettings(config), bans: bans, logger: captured.logger)
        let done = DispatchSemaphore(value: 0)
        verdicts.forEach(pipeline.submit)
        pipeline.close { done.signal() }
        done.wait()
        return captured
    }

    @Test func legacyActionsRunInOrderThenTheScanLine() {
        let dir = makeTempDir(); defer { removeTree(dir) }
        let lines = run([verdict(event())], dir: dir) { $0.killRunCmdFirst = true }
        #expect(readText("\(dir)/order") == "run 192.0.2.7 31337\nroute 192.0.2.7\n")
        #expect(readText("\(dir)/hosts.deny") == "ALL: 192.0.2.7\n")
        #expect(lines.texts == [
            "attackalert: External command run for host: 192.0.2.7 using command: \"echo run 192.0.2.7 31337 >> \(dir)/order\"",
            "attackalert: Host 192.0.2.7 has been blocked via wrappers with string: \"ALL: 192.0.2.7\"",
            "attackalert: Host 192.0.2.7 has been blocked via dropped route using command: \"echo route 192.0.2.7 >> \(dir)/order\"",
            "Scan from: [192.0.2.7] (192.0.2.7) protocol: [TCP] port: [31337] type: [TCP SYN/Normal scan] IP opts: [not set] ignored: [false] triggered: [true] noblock: [false] blocked: [true]",
        ])
        #expect(readBytes("\(dir)/blocked") == [2, 0, 192, 0, 2, 7])
        let history = readText("\(dir)/history") ?? ""
        #expect(history.hasSuffix(" Scan from: [192.0.2.7] (192.0.2.7) protocol: [TCP] port: [31337] type: [TCP SYN/Normal scan] IP opts: [not set] ignored: [false] triggered: [true] noblock: [false] blocked: [true]\n"))
    }

    @Test func secondEventOfABlockedSourceIsAlreadyBlocked() {
        let dir = makeTempDir(); defer { removeTree(dir) }
        let lines = run([verdict(event()), verdict(event(port: 1, proto: .udp))], dir: dir)
        #expect(lines.texts.contains("attackalert: Host: 192.0.2.7/192.0.2.7 is already blocked Ignoring"))
        #expect(lines.texts.last?.hasSuffix("protocol: [UDP] port: [1] type: [UDP] IP opts: [not set] ignored: [false] triggered: [true] noblock: [false] blocked: [true]") == true)
        #expect(readText("\(dir)/order") == "route 192.0.2.7\nrun 192.0.2.7 31337\n")
        #expect(readBytes("\(dir)/blocked")?.count == 6)
    }

    @Test func withoutBlockedFileEveryTriggeredEventActs() {
        let dir = makeTempDir(); defer { removeTree(dir) }
        _ = run([verdict(event()), verdict(event(port: 2))], dir: dir) { $0.blockedFile = nil; $0.killRunCmd = nil }
        #expect(readText("\(dir)/order") == "route 192.0.2.7\nroute 192.0.2.7\n")
    }

    @Test func failingCommandsMeanNotBlockedAndADisposeError() {
        let dir = makeTempDir(); defer { removeTree(dir) }
        let lines = run([verdict(event())], dir: dir) {
            $0.killRoute = "exit 1 # $TARGET$"; $0.killRunCmd = nil; $0.killHostsDeny = nil
        }
        #expect(lines.texts.contains("attackalert: Error during target dispose 192.0.2.7/192.0.2.7!"))
        #expect(lines.texts.last?.hasSuffix("blocked: [false]") == true)
        #expect(readBytes("\(dir)/blocked") == nil)
    }

    @Test func logOnlyEventsAreRecordedWithoutActions() {
        let dir = makeTempDir(); defer { removeTree(dir) }
        var v = verdict(event(), action: nil)
        v.outcome.blocked = false
        v.notes = [LogNote(.verbose, "a verbose note")]
        let lines = run([v], dir: dir)
        #expect(lines.texts == ["a verbose note", "Scan from: [192.0.2.7] (192.0.2.7) protocol: [TCP] port: [31337] type: [TCP SYN/Normal scan] IP opts: [not set] ignored: [false] triggered: [true] noblock: [true] blocked: [false]"])
        #expect(readText("\(dir)/order") == nil)
    }
}

@Suite struct OutputFormatTests {
    @Test func historyTimestampHasMillisecondsAndNumericZone() {
        setenv("TZ", "UTC", 1); tzset()
        #expect(HistoryFile.timestamp(timespec(tv_sec: 1_795_302_397, tv_nsec: 3_000_000)) == "2026-11-21T23:06:37.003+0000")
    }

    @Test func bannedHitsAreReportedOncePerIntervalWithTheirCount() {
        var r = BannedHitReporter(interval: 60, capacity: 10)
        let a = IPAddress("192.0.2.7")!
        #expect(r.hit(a, now: 100) == 1)
        #expect(r.hit(a, now: 110) == nil)
        #expect(r.hit(a, now: 120) == nil)
        #expect(r.hit(a, now: 160) == 3)
        #expect(r.hit(a, now: 161) == nil)
    }

    @Test func blockedFileRemovesRecords() {
        let dir = makeTempDir(); defer { removeTree(dir) }
        let file = BlockedFile(path: "\(dir)/blocked")
        let a = IPAddress("192.0.2.7")!, b = IPAddress("2001:db8::7")!
        #expect(file.append(a) == nil)
        #expect(file.append(b) == nil)
        #expect(readBytes("\(dir)/blocked")?.count == 24)
        #expect(file.remove([a]) == nil)
        #expect(file.load() == [b])
        #expect(readBytes("\(dir)/blocked")?.count == 18)
    }
}
