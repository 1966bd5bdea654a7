import Control
import Firewall
import PortsentryCore
import Testing
import TestSupport
@testable import Daemon

/// EVENT_LOG's lines, one per kind of event, exactly as docs/events.md shows them: the
/// documentation's examples are what the encoder writes (and the integration test validates
/// them and the daemon's own lines against docs/event-log.schema.json).
@Suite struct EventRecordTests {
    static let root = "/" + #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
    static let docs = readText(root + "/docs/events.md") ?? ""
    static let schema = readText(root + "/docs/event-log.schema.json") ?? ""

    /// 2026-11-18T11:06:40.123456Z.
    let t0: Int64 = 1_795_000_000_123_456
    let scanner = IPAddress("192.0.2.7")!
    let here = IPAddress("192.0.2.1")!

    func line(_ record: EventRecord) -> String {
        String(decoding: JSONLine.encode(record).dropLast(), as: UTF8.self)
    }

    func probe(_ type: ScanType = .tcpSyn, proto: TransportProtocol = .tcp, port: UInt16 = 23, mode: SentryMode = .stealth,
               options: IPOptionsState = .notSet, interface: UInt32 = 2) -> ProbeEvent {
        ProbeEvent(source: scanner, destination: here, proto: proto, port: port, type: type, ipOptions: options,
                   mode: mode, interface: interface)
    }

    func probeLine(_ event: ProbeEvent, _ result: ProbeResult) -> String {
        line(EventRecord(probe: event, result: result, micros: t0, interfaceName: { $0 == 2 ? "eth0" : "#\($0)" }))
    }

    func banLine(_ event: BanEvent) -> String { line(EventRecord(ban: event, micros: t0)) }

    func evidence(byKernel: Bool = false) -> BanOrigin {
        var e = ProbeEvidence(probe())
        e.byKernel = byKernel
        return .probe(e)
    }

    /// The line is in docs/events.md, as an example.
    func documented(_ line: String) -> Bool { Self.docs.contains("\n" + line + "\n") }

    @Test func timestampsAreRFC3339InUTCWithMicroseconds() {
        #expect(UTCTimestamp.text(micros: t0) == "2026-11-18T11:06:40.123456Z")
        #expect(UTCTimestamp.text(micros: 0) == "1970-01-01T00:00:00.000000Z")
        #expect(UTCTimestamp.text(micros: -1) == "1969-12-31T23:59:59.999999Z")
        #expect(UTCTimestamp.text(micros: t0, fractionDigits: 3) == "2026-11-18T11:06:40.123Z")
        #expect(UTCTimestamp.text(micros: 253_402_300_799_999_999) == "9999-12-31T23:59:59.999999Z")
        let now = UTCTimestamp.nowMicros()
        #expect(abs(UTCTimestamp.micros(ofMonotonic: MonotonicClock.now()) - now) < 1_000_000)
        #expect(UTCTimestamp.micros(ofMonotonic: MonotonicClock.now() - 5_000_000_000) < now - 4_000_000)
    }

    @Test func aStealthProbe() {
        let l = probeLine(probe(), .blocked)
        #expect(l == #"{"destination":"192.0.2.1","interface":"eth0","ip_options":false,"kind":"probe","mode":"stealth","port":23,"probe_type":"syn","protocol":"tcp","result":"blocked","schema":1,"source":"192.0.2.7","tcp_flags":2,"time":"2026-11-18T11:06:40.123456Z"}"#)
        #expect(documented(l))
    }

    @Test func anUnusualFlagCombinationKeepsItsBits() {
        let l = probeLine(probe(.tcpUnknown([.syn, .fin, .psh]), options: .set), .untriggered)
        #expect(l.contains(#""probe_type":"unknown""#) && l.contains(#""tcp_flags":11"#) && l.contains(#""ip_options":true"#))
    }

    @Test func aConnectProbeHasNoFlagsOptionsOrInterface() {
        let l = probeLine(probe(.connect, port: 1080, mode: .connect, options: .unknown, interface: 0), .untriggered)
        #expect(l == #"{"destination":"192.0.2.1","kind":"probe","mode":"connect","port":1080,"probe_type":"connect","protocol":"tcp","result":"untriggered","schema":1,"source":"192.0.2.7","time":"2026-11-18T11:06:40.123456Z"}"#)
        #expect(documented(l))
    }

    @Test func aUDPProbeIsCalledUDPAndHasNoFlags() {
        let l = probeLine(probe(.udp, proto: .udp, port: 161, options: .unknown), .serviceRunning)
        #expect(l.contains(#""probe_type":"udp","protocol":"udp","result":"service_running""#))
        #expect(!l.contains("tcp_flags"))
    }

    @Test func anIPv4MappedSourceIsWrittenAsIPv4() {
        var e = probe()
        e.source = IPAddress("::ffff:192.0.2.7")!
        #expect(probeLine(e, .blocked).contains(#""source":"192.0.2.7""#))
    }

    @Test func aPrefixBanFromAProbe() {
        let decision = BanDecision(target: CIDR(address: scanner, prefixLength: 24), seconds: 3600, origin: evidence(),
                                   time: t0 / 1000, offence: 2, term: .configured(base: 1800, factor: 2, capped: false), source: scanner)
        let ban = Ban(target: decision.target, expiresAt: t0 / 1000 + 3_600_000, origin: decision.origin, offence: 2, seconds: 3600)
        let l = banLine(.applied(BanResult(decision: decision, steps: [EnforcementStep(FakeBackend.step, .applied)], ban: ban)))
        #expect(l == #"{"duration_seconds":3600,"expires":"2026-11-18T12:06:40.123000Z","kind":"ban","mode":"stealth","offence":2,"origin":"probe","port":23,"probe_type":"syn","protocol":"tcp","result":"banned","schema":1,"source":"192.0.2.7","target":"192.0.2.0/24","time":"2026-11-18T11:06:40.123456Z"}"#)
        #expect(documented(l))
    }

    @Test func aKernelBanAndARenewal() {
        let kernel = BanDecision(target: CIDR(host: scanner), seconds: 600, origin: evidence(byKernel: true), source: scanner)
        #expect(banLine(.applied(BanResult(decision: kernel, steps: [EnforcementStep(FakeBackend.step, .applied)])))
            .contains(#""origin":"kernel""#))
        var renewal = kernel
        renewal.term = .renewed
        let renewed = banLine(.applied(BanResult(decision: renewal, steps: [EnforcementStep(FakeBackend.step, .applied)], refreshed: true)))
        #expect(renewed.contains(#""result":"renewed""#))
        var again = kernel
        again.origin = .manual(reason: nil)
        #expect(banLine(.applied(BanResult(decision: again, steps: [EnforcementStep(FakeBackend.step, .applied)], refreshed: true)))
            .contains(#""result":"refreshed""#))
    }

    @Test func aManualBanWithAComment() {
        let d = BanDecision(target: CIDR(host: IPAddress("198.51.100.4")!), seconds: 0, origin: .manual(reason: "seen in the web log"),
                            offence: 1)
        let l = banLine(.applied(BanResult(decision: d, steps: [EnforcementStep(FakeBackend.step, .applied)],
                                           ban: Ban(target: d.target, expiresAt: nil))))
        #expect(l == #"{"comment":"seen in the web log","duration_seconds":0,"kind":"ban","offence":1,"origin":"manual","result":"banned","schema":1,"source":"198.51.100.4","target":"198.51.100.4/32","time":"2026-11-18T11:06:40.123456Z"}"#)
        #expect(documented(l))
    }

    @Test func aFleetNetworkHasNoSource() {
        let d = BanDecision(target: CIDR(address: IPAddress("2001:db8:7::")!, prefixLength: 48), seconds: 14_400,
                            origin: .fleet("lapi:crowdsec"), term: .fleet)
        let l = banLine(.applied(BanResult(decision: d, steps: [EnforcementStep(FakeBackend.step, .simulated)])))
        #expect(l == #"{"duration_seconds":14400,"fleet":"lapi:crowdsec","kind":"ban","offence":1,"origin":"fleet","result":"dry_run","schema":1,"target":"2001:db8:7::/48","time":"2026-11-18T11:06:40.123456Z"}"#)
        #expect(documented(l))
    }

    @Test func aFailedBanSaysWhy() {
        let d = BanDecision(target: CIDR(host: scanner), seconds: 3600, origin: evidence(), source: scanner)
        let l = banLine(.applied(.failed(d, FakeBackend.step, "netlink: Operation not permitted")))
        #expect(l.contains(#""detail":"netlink: Operation not permitted""#) && l.contains(#""result":"failed""#))
    }

    @Test func aRefusedBan() {
        let resolver = IPAddress("192.0.2.53")!
        let l = banLine(.refused(target: CIDR(host: resolver), origin: evidence(), .protected(resolver, .resolver)))
        #expect(l == #"{"detail":"192.0.2.53 is protected (resolver); it is never blocked, not even with --force","kind":"ban","mode":"stealth","origin":"probe","port":23,"probe_type":"syn","protocol":"tcp","refusal":"protected","result":"refused","schema":1,"source":"192.0.2.53","target":"192.0.2.53/32","time":"2026-11-18T11:06:40.123456Z"}"#)
        #expect(documented(l))
        #expect(banLine(.refused(target: CIDR(host: scanner), origin: evidence(), .rateLimited(perSecond: 50))).contains(#""refusal":"rate_limited""#))
    }

    @Test func anUnban() {
        let l = banLine(.released(BanRelease(target: CIDR(address: scanner, prefixLength: 24), reason: .expired)))
        #expect(l == #"{"kind":"unban","reason":"expired","schema":1,"target":"192.0.2.0/24","time":"2026-11-18T11:06:40.123456Z"}"#)
        #expect(documented(l))
        #expect(banLine(.released(BanRelease(address: scanner, reason: .unbanned))).contains(#""source":"192.0.2.7""#))
    }

    @Test func theScanLineTypeTextsHaveWords() {
        for type in [ScanType.connect, .udp, .tcpNull, .tcpXmas, .tcpFin, .tcpSyn, .tcpUnknown([.syn, .urg])] {
            #expect(ScanType.word(ofText: type.text) == type.word)
        }
        #expect(ScanType.word(ofText: "something else") == nil)
    }

    /// Every key and every result is in the field table of docs/events.md and in the schema.
    @Test func everyKeyAndResultIsDocumented() {
        for key in EventRecord.CodingKeys.allCases {
            #expect(Self.docs.contains("| `\(key.stringValue)` |"), "docs/events.md has no row for \(key.stringValue)")
            #expect(Self.schema.contains("\"\(key.stringValue)\": {"), "the schema has no property \(key.stringValue)")
        }
        for result in ProbeResult.allCases {
            #expect(Self.docs.contains("`\(result.rawValue)`"), "docs/events.md does not explain \(result.rawValue)")
            #expect(Self.schema.contains("\"\(result.rawValue)\""), "the schema does not allow \(result.rawValue)")
        }
        #expect(Self.schema.contains("\"const\": \(EventRecord.schemaVersion)"))
    }
}
