import Testing
@testable import PortsentryCore

@Suite struct DetectionEngineTests {
    let scanner = IPAddress("192.0.2.7")!
    let host = IPAddress("192.0.2.1")!

    func config(trigger: Int = 0, blockTCP: BlockMode = .block, blockUDP: BlockMode = .block, banner: String? = nil) -> Config {
        var c = Config()
        c.scanTrigger = trigger
        c.blockTCP = blockTCP
        c.blockUDP = blockUDP
        c.portBanner = banner
        c.ignoreFile = "/etc/portsentry/portsentry.ignore"
        return c
    }

    func engine(_ c: Config, ignore: IgnoreList = .empty, localCheck: Bool = true) -> DetectionEngine {
        DetectionEngine(settings: DetectionSettings(config: c, ignoreList: ignore, localCheck: localCheck), sourceCapacity: 4)
    }

    func probe(_ source: IPAddress, to destination: IPAddress? = nil, proto: TransportProtocol = .tcp, mode: SentryMode = .stealth) -> ProbeEvent {
        ProbeEvent(source: source, destination: destination ?? host, proto: proto, port: 31337,
                   type: proto == .tcp ? .tcpSyn : .udp, ipOptions: .notSet, mode: mode)
    }

    @Test func ignoredSourceStopsEverythingAndIsNotCounted() throws {
        let ignore = IgnoreList([try CIDR.parse("192.0.2.0/24").cidr])
        let e = engine(config(trigger: 2), ignore: ignore)
        let v = e.receive(probe(scanner))
        #expect(v.outcome == ScanOutcome(ignored: true))
        #expect(v.action == nil)
        #expect(v.notes == [LogNote(.verbose, "Host: 192.0.2.7 found in ignore file /etc/portsentry/portsentry.ignore, aborting actions")])
    }

    @Test func mappedIPv6SourceMatchesIPv4IgnoreEntry() throws {
        let e = engine(config(), ignore: IgnoreList([CIDR(host: IPAddress("192.0.2.7")!)]))
        #expect(e.receive(probe(IPAddress("::ffff:192.0.2.7")!)).outcome.ignored == true)
    }

    @Test func scanTriggerActsFromTheNthEventCountingTCPAndUDPTogether() {
        let e = engine(config(trigger: 3))
        #expect(e.receive(probe(scanner)).outcome == ScanOutcome(ignored: false, triggered: false))
        #expect(e.receive(probe(scanner, proto: .udp)).outcome.triggered == false)
        let third = e.receive(probe(scanner))
        #expect(third.outcome == ScanOutcome(ignored: false, triggered: true, noblock: false))
        #expect(third.action == .block)
        #expect(e.receive(probe(scanner)).outcome.triggered == true)
    }

    @Test(arguments: [0, 1]) func triggerZeroAndOneActOnTheFirstEvent(trigger: Int) {
        #expect(engine(config(trigger: trigger)).receive(probe(scanner)).action == .block)
    }

    @Test func selfTrafficIsIgnoredUnlessLocalCheckIsOff() {
        let v = engine(config()).receive(probe(host, to: host))
        #expect(v.outcome == ScanOutcome(ignored: true, triggered: true, noblock: true, blocked: false))
        #expect(v.action == nil)
        #expect(v.notes == [LogNote(.debug, "Source address 192.0.2.1 same as destination address 192.0.2.1, skipping")])
        #expect(engine(config(), localCheck: false).receive(probe(host, to: host)).action == .block)
    }

    @Test func logOnlyModeSetsNoblock() {
        let e = engine(config(blockTCP: .logOnly, blockUDP: .runCommandOnly))
        let tcp = e.receive(probe(scanner))
        #expect(tcp.outcome == ScanOutcome(ignored: false, triggered: true, noblock: true, blocked: false))
        #expect(tcp.action == nil)
        #expect(e.receive(probe(scanner, proto: .udp)).action == .runCommandOnly)
    }

    @Test func bannerOnlyInConnectModeAfterTriggering() {
        let e = engine(config(trigger: 2, blockTCP: .logOnly, banner: "go away"))
        #expect(e.receive(probe(scanner, mode: .connect)).banner == nil)
        #expect(e.receive(probe(scanner, mode: .connect)).banner == Array("go away".utf8))
        #expect(e.receive(probe(scanner, mode: .stealth)).banner == nil)
    }

    @Test func resetCountStartsCountingAgain() {
        let e = engine(config(trigger: 2))
        _ = e.receive(probe(scanner))
        e.resetCount(of: scanner)
        #expect(e.receive(probe(scanner)).outcome.triggered == false)
    }

    @Test func reloadKeepsCounters() {
        let e = engine(config(trigger: 2))
        _ = e.receive(probe(scanner))
        e.update(DetectionSettings(config: config(trigger: 2, blockTCP: .logOnly), ignoreList: .empty, localCheck: true))
        let v = e.receive(probe(scanner))
        #expect(v.outcome.triggered == true)
        #expect(v.outcome.noblock == true)
    }
}

@Suite struct SourceCounterTests {
    private static let everProbe = TriggerRule(trigger: 3)
    private func probe(_ source: IPAddress, port: UInt16 = 23, at time: Int64 = 0) -> ProbeRecord {
        ProbeRecord(time: time, source: source, proto: .tcp, port: port, type: .tcpSyn)
    }
    private func record(_ c: inout SourceCounter, _ source: IPAddress, port: UInt16 = 23, at time: Int64 = 0,
                        rule: TriggerRule = everProbe) -> Int {
        c.record(source, probe(source, port: port, at: time), rule: rule)
    }

    @Test func evictsTheLeastRecentlySeenSourceWhenFull() {
        var c = SourceCounter(capacity: 3)
        let a = IPAddress("10.0.0.1")!, b = IPAddress("10.0.0.2")!, d = IPAddress("10.0.0.3")!, e = IPAddress("10.0.0.4")!
        #expect(record(&c, a) == 1)
        #expect(record(&c, b) == 1)
        #expect(record(&c, d) == 1)
        #expect(record(&c, a) == 2)      // a is now the most recent; b the oldest
        #expect(record(&c, e) == 1)      // evicts b
        #expect(c.count == 3)
        #expect(c.count(of: b) == 0)
        #expect(c.count(of: a) == 2)
        #expect(record(&c, b) == 1)      // evicts d
        #expect(c.count(of: d) == 0)
    }

    @Test func staysAtCapacityUnderAFloodOfDistinctSources() {
        var c = SourceCounter(capacity: 1000)
        for i in 0..<100_000 { _ = record(&c, .v4(UInt32(i))) }
        #expect(c.count == 1000)
        #expect(c.count(of: .v4(99_999)) == 1)
        #expect(c.count(of: .v4(0)) == 0)
    }

    @Test func withoutAWindowCountsNeverDecay() {
        var c = SourceCounter(capacity: 10)
        let a = IPAddress("10.0.0.1")!
        let week: Int64 = 7 * 86_400_000
        #expect(record(&c, a, at: 0) == 1)
        #expect(record(&c, a, at: week) == 2)
        #expect(record(&c, a, at: 2 * week) == 3)   // 2.x: the third week's probe triggers SCAN_TRIGGER=3
    }

    @Test func aWindowLetsOldProbesExpire() {
        var c = SourceCounter(capacity: 10)
        let a = IPAddress("10.0.0.1")!
        let rule = TriggerRule(trigger: 3, windowSeconds: 600)
        let week: Int64 = 7 * 86_400_000
        #expect(record(&c, a, at: 0, rule: rule) == 1)
        #expect(record(&c, a, at: week, rule: rule) == 1)
        #expect(record(&c, a, at: 2 * week, rule: rule) == 1)         // a probe a week never triggers
        #expect(record(&c, a, at: 2 * week + 1_000, rule: rule) == 2)
        #expect(record(&c, a, at: 2 * week + 599_000, rule: rule) == 3) // three within ten minutes do
        #expect(record(&c, a, at: 2 * week + 1_200_000, rule: rule) == 1) // 20 min later: the others left the window
    }

    @Test func distinctPortsCountEachPortOnce() {
        var c = SourceCounter(capacity: 10)
        let a = IPAddress("10.0.0.1")!
        let rule = TriggerRule(trigger: 3, windowSeconds: 600, distinctPorts: true)
        #expect(record(&c, a, port: 23, at: 0, rule: rule) == 1)
        #expect(record(&c, a, port: 23, at: 1_000, rule: rule) == 1)
        #expect(record(&c, a, port: 23, at: 2_000, rule: rule) == 1)   // one port hammered: still 1
        #expect(record(&c, a, port: 25, at: 3_000, rule: rule) == 2)
        #expect(record(&c, a, port: 111, at: 4_000, rule: rule) == 3)
        #expect(c.evidence(of: a).map(\.port) == [23, 25, 111])
    }

    @Test func evidenceKeepsTheLastProbesOnly() {
        var c = SourceCounter(capacity: 10)
        let a = IPAddress("10.0.0.1")!
        for port in UInt16(1)...20 { _ = record(&c, a, port: port, at: Int64(port)) }
        #expect(c.evidence(of: a).map(\.port) == Array(UInt16(13)...20))
    }

    @Test func aLargeWindowedTriggerKeepsEnoughProbes() {
        var c = SourceCounter(capacity: 10)
        let a = IPAddress("10.0.0.1")!
        let rule = TriggerRule(trigger: 40, windowSeconds: 60)
        var last = 0
        for i in 0..<40 { last = record(&c, a, port: UInt16(i), at: Int64(i), rule: rule) }
        #expect(last == 40)
        #expect(c.evidence(of: a).count == ProbeTrail.evidenceCount)
    }

    @Test func triggerRuleSaysWhatItCounts() {
        #expect(TriggerRule(trigger: 0).description == "SCAN_TRIGGER=0: 1 probe")
        #expect(TriggerRule(trigger: 3, windowSeconds: 600, distinctPorts: true).description
            == "SCAN_TRIGGER=3: 3 distinct ports within SCAN_WINDOW=10m")
    }
}

@Suite struct ScanLineTests {
    @Test func scanLineMatchesPortsentry2() {
        let e = ProbeEvent(source: IPAddress("192.0.2.7")!, destination: IPAddress("192.0.2.1")!, proto: .tcp, port: 1080,
                           type: .tcpXmas, ipOptions: .set, mode: .stealth)
        #expect(LogLine.scan(e, hostName: "192.0.2.7", outcome: ScanOutcome(ignored: false, triggered: false))
            == "Scan from: [192.0.2.7] (192.0.2.7) protocol: [TCP] port: [1080] type: [TCP XMAS scan] IP opts: [set] ignored: [false] triggered: [false] noblock: [unset] blocked: [unset]")
    }

    @Test(arguments: [
        (UInt8(0), "TCP NULL scan"), (0x29, "TCP XMAS scan"), (0x01, "TCP FIN scan"), (0x02, "TCP SYN/Normal scan"),
        (0x03, "Unknown Type: TCP Packet Flags: SYN: 1 FIN: 1 ACK: 0 PSH: 0 URG: 0 RST: 0"),
        (0x28, "Unknown Type: TCP Packet Flags: SYN: 0 FIN: 0 ACK: 0 PSH: 1 URG: 1 RST: 0"),
    ])
    func classifiesTCPFlags(flags: UInt8, text: String) {
        #expect(ScanType.classify(TCPFlags(rawValue: flags))?.text == text)
    }

    @Test(arguments: [UInt8(0x10), 0x12, 0x04, 0x14])
    func dropsAckAndRst(flags: UInt8) {
        #expect(ScanType.classify(TCPFlags(rawValue: flags)) == nil)
    }
}

@Suite struct RunCommandHookTests {
    let event = ProbeEvent(source: IPAddress("2001:db8::9")!, destination: IPAddress("2001:db8::1")!, proto: .udp, port: 161,
                           type: .udp, ipOptions: .unknown, mode: .stealth)

    @Test func rendersTheTokensAndKnowsItsTurn() {
        var c = Config()
        c.killRunCmd = "/usr/local/bin/alert $TARGET$ $PORT$ $MODE$"
        c.killRunCmdFirst = true
        let hook = RunCommandHook(config: c)
        #expect(hook.command(for: event) == "/usr/local/bin/alert 2001:db8::9 161 stealth")
        #expect(hook.runsFirst)
        #expect(RunCommandHook(config: Config()).command(for: event) == nil)
    }
}
