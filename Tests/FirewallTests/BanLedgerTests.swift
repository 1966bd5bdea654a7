import Foundation
import Logging
import PortsentryCore
import Testing
import TestSupport
@testable import Firewall

/// The ban ledger: its file (round trip, bad lines skipped with their place), the records it
/// keeps from ban events, and what survives a restart.
@Suite struct BanLedgerTests {
    let logger = Logger(label: "ledger-test")
    let trigger = TriggerEvidence(rule: TriggerRule(trigger: 3, windowSeconds: 600, distinctPorts: true), probes: [
        ProbeRecord(time: 1_000, source: IPAddress("203.0.113.9")!, proto: .tcp, port: 23, type: .tcpSyn, interface: 2),
        ProbeRecord(time: 2_000, source: IPAddress("203.0.113.9")!, proto: .tcp, port: 25, type: .tcpXmas, interface: 2),
        ProbeRecord(time: 3_000, source: IPAddress("203.0.113.9")!, proto: .udp, port: 161, type: .udp, interface: 0),
    ])

    func records() -> [BanRecord] {
        let probe = BanDecision(target: CIDR(host: IPAddress("203.0.113.9")!), seconds: 172_800,
                                origin: .probe(ProbeEvidence(proto: .udp, port: 161, type: "UDP", byKernel: true, trigger: trigger)),
                                time: 3_001, offence: 2, term: .configured(base: 86_400, factor: 2, capped: false),
                                source: IPAddress("203.0.113.9")!, narrowed: "2001:db8::1 (resolver) shares 203.0.113.0/24\t; banned the host alone")
        let manual = BanDecision(target: CIDR(host: IPAddress("2001:db8::7")!), seconds: 3_600,
                                 origin: .manual(reason: "office\tscan\nagain"), time: 5, offence: 1, term: .requested)
        let fleet = BanDecision(target: CIDR(host: IPAddress("198.51.100.1")!), seconds: 600, origin: .fleet("lapi:crowdsec"),
                                time: 6, offence: 1, term: .fleet)
        return [
            BanRecord(target: probe.target, offences: 2, last: probe, expiresAt: 172_803_001),
            BanRecord(target: manual.target, offences: 1, last: manual, expiresAt: nil, ended: (9, .unbanned)),
            BanRecord(target: fleet.target, offences: 1, last: fleet, expiresAt: 600_006, ended: (600_006, .expired)),
        ]
    }

    @Test func fileRoundTripsEveryKindOfRecord() throws {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let file = BanLedgerFile(statePath: dir + "/bans.state")
        #expect(file.path == dir + "/bans.state.ledger")
        try file.write(records())
        let read = file.read()
        #expect(read.problems.isEmpty)
        var expected = records()
        expected[1].last.origin = .manual(reason: "office scan again")   // one field: tabs and line breaks become blanks
        expected[0].last.narrowed = "2001:db8::1 (resolver) shares 203.0.113.0/24 ; banned the host alone"
        #expect(read.records == expected)
    }

    @Test func theFuzzingSeedReadsWhole() throws {
        let text = try String(contentsOfFile: Corpus.root + "/ledger/daemon.ledger", encoding: .utf8)
        let contents = BanLedgerFile.parse(text, path: "daemon.ledger")
        #expect(contents.problems.isEmpty && contents.records.count == 5)
        #expect(([BanLedgerFile.versionLine] + contents.records.map(BanLedgerFile.line)).joined(separator: "\n") + "\n" == text)
    }

    @Test func badLinesAreSkippedAndNamedNeverFatal() throws {
        let good = BanLedgerFile.line(records()[0])
        let text = ["portsentry-ledger 1", good, "garbage", good.replacingOccurrences(of: "\t2\t", with: "\t-2\t"),
                    good.replacingOccurrences(of: "probe\tUDP", with: "probe\tSCTP"), ""].joined(separator: "\n")
        let contents = BanLedgerFile.parse(text, path: "/x/bans.state.ledger")
        #expect(contents.records.count == 1)
        #expect(contents.problems == ["/x/bans.state.ledger:3: malformed record, skipped", "/x/bans.state.ledger:4: malformed record, skipped",
                                      "/x/bans.state.ledger:5: malformed record, skipped"])
        #expect(BanLedgerFile.parse("portsentry-bans 2\n", path: "f").problems.first?.contains("not a portsentry ban ledger") == true)
        #expect(BanLedgerFile(path: "/nonexistent-dir/x.ledger").read().records.isEmpty)
    }

    @Test func followsBanEventsAndSurvivesARestart() throws {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let file = BanLedgerFile(statePath: dir + "/bans.state")
        let source = IPAddress("203.0.113.9")!
        let ledger = BanLedger(file: file, memorySeconds: 86_400, logger: logger)
        for offence in 1...3 {
            let d = BanDecision(target: CIDR(host: source), seconds: 60, origin: .manual(reason: nil), offence: offence)
            let ban = Ban(address: source, expiresAt: WallClock.nowMs() + 60_000, offence: offence, seconds: 60)
            ledger.observe(.applied(BanResult(decision: d, steps: [EnforcementStep(.nftables(table: "t", set: "s"), .applied)], ban: ban)))
            ledger.observe(.released(BanRelease(address: source, reason: .unbanned)))
        }
        // A failed ban and a refusal are no offences.
        let failed = BanDecision(target: CIDR(host: source), seconds: 60, origin: .manual(reason: nil), offence: 4)
        ledger.observe(.applied(.failed(failed, .nftables(table: "t", set: "s"), "kernel said no")))
        #expect(ledger.priorOffences(of: CIDR(host: source), at: WallClock.nowMs()) == 3)
        #expect(ledger.record(of: CIDR(host: source))?.ended?.reason == .unbanned)
        ledger.save()
        let restarted = BanLedger(file: file, memorySeconds: 86_400, logger: logger)
        #expect(restarted.priorOffences(of: CIDR(host: source), at: WallClock.nowMs()) == 3)
        // After OFFENCE_MEMORY the records are not even loaded.
        let later = BanLedger(file: file, memorySeconds: 86_400, logger: logger, now: WallClock.nowMs() + 2 * 86_400_000)
        #expect(later.record(of: CIDR(host: source), at: WallClock.nowMs() + 2 * 86_400_000) == nil)
    }
}

/// How a batch is planned against the ban table: refreshes never shorten, an expired entry is
/// replaced by a new ban, a kernel-trap ban is written as a refresh.
@Suite struct BanPlanTests {
    let layout = try! NftLayout(table: "t", hook: .prerouting, setSize: 100)
    let source = IPAddress("10.0.0.9")!

    @Test func aRefreshNeverShortensABan() {
        var book = BanBook()
        book.put(Ban(address: source, expiresAt: 1_000_000 + 7_200_000, since: 0, offence: 2, seconds: 7_200))
        var plan = BanPlan(layout: layout, now: 1_000_000, defaultSeconds: 60)
        plan.classify([BanRequest(source, seconds: 60, origin: .manual(reason: nil))], book: &book)
        #expect(plan.items.first?.refresh == true)
        #expect(plan.items.first?.timeoutMs == 7_200_000)
        #expect(plan.items.first?.ban.offence == 2)
    }

    @Test func anExpiredEntryIsReplacedByANewBan() {
        var book = BanBook()
        book.put(Ban(address: source, expiresAt: 999_000, since: 0, offence: 1, seconds: 60))
        var plan = BanPlan(layout: layout, now: 1_000_000, defaultSeconds: 60)
        plan.classify([BanRequest(source, seconds: 120, origin: .manual(reason: nil), offence: 2)], book: &book)
        let item = plan.items[0]
        #expect(!item.refresh && item.ban.offence == 2 && item.ban.expiresAt == 1_120_000)
        #expect(item.outcome(at: 1_000_000) == .banned(item.ban, displacing: BanRelease(address: source, reason: .expired)))
    }

    @Test func aKernelTrapBanIsAPlainAddToTheBanSet() {
        // The trap's element is in the trap set: the ban set gets the policy's length, no refresh.
        var book = BanBook()
        var plan = BanPlan(layout: layout, now: 0, defaultSeconds: 60)
        let origin = BanOrigin.probe(ProbeEvidence(proto: .tcp, port: 23, type: "TCP SYN/Normal scan", byKernel: true))
        plan.classify([BanRequest(source, seconds: 120, origin: origin, offence: 2)], book: &book)
        #expect(!plan.items[0].refresh)
        #expect(plan.script == "add element inet t banned_v4 { 10.0.0.9 timeout 120000ms }\n")
    }
}
