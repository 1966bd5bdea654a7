import Testing
@testable import PortsentryCore

/// Escalation for repeat offenders, renewal of a banned source that probes again, the bounded
/// offence memory, and the config keys behind them.
@Suite struct BanLifecycleTests {
    let source = IPAddress("203.0.113.9")!
    let day: UInt64 = 86_400

    func probe(_ source: IPAddress) -> ProbeEvent {
        ProbeEvent(source: source, destination: IPAddress("192.0.2.1")!, proto: .tcp, port: 23, type: .tcpSyn,
                   ipOptions: .notSet, mode: .stealth)
    }

    func policy(increment: Double = 2, max: UInt64 = 30 * 86_400, memory: UInt64 = 30 * 86_400) -> BanPolicy {
        BanPolicy(banSeconds: day, ignoreList: .empty,
                  escalation: Escalation(factor: increment, maxSeconds: max, memorySeconds: memory))
    }

    @Test func theNthBanLastsBanTimeTimesTheFactorToTheNMinusOne() {
        let e = Escalation(factor: 2, maxSeconds: 30 * day, memorySeconds: 30 * day)
        #expect(e.term(base: day, offence: 1).seconds == day)
        #expect(e.term(base: day, offence: 2).seconds == 2 * day)
        #expect(e.term(base: day, offence: 3).seconds == 4 * day)
        #expect(e.term(base: day, offence: 3).term == .configured(base: day, factor: 2, capped: false))
    }

    @Test func banTimeMaxCapsTheGrowth() {
        let e = Escalation(factor: 2, maxSeconds: 30 * day, memorySeconds: 30 * day)
        #expect(e.term(base: day, offence: 5).seconds == 16 * day)
        #expect(e.term(base: day, offence: 6).seconds == 30 * day)
        #expect(e.term(base: day, offence: 6).term == .configured(base: day, factor: 2, capped: true))
        #expect(e.term(base: day, offence: 1_000).seconds == 30 * day)   // no overflow, however many
    }

    @Test func aNeverExpiringBanStaysSoAndFactorOneIsOff() {
        #expect(Escalation(factor: 2, maxSeconds: day, memorySeconds: day).term(base: 0, offence: 4).seconds == 0)
        #expect(Escalation.off.term(base: day, offence: 9).seconds == day)
    }

    @Test func thirdProbeBanOfARepeatOffenderIsFourTimesAsLong() throws {
        var memory = BanMemory(memorySeconds: 30 * day)
        var now: Int64 = 1_000_000
        var lengths: [UInt64] = []
        for _ in 0..<3 {
            let d = try policy().decide(probe: probe(source), history: memory, at: now).get()
            lengths.append(d.seconds)
            memory.banned(d, expiresAt: now + Int64(d.seconds) * 1000)
            now += Int64(d.seconds) * 1000
            memory.ended(d.target, reason: .expired, at: now)
            now += 3_600_000
        }
        #expect(lengths == [day, 2 * day, 4 * day])
        #expect(memory.record(of: CIDR(host: source), at: now)?.offences == 3)
    }

    @Test func anOffenceIsForgottenOffenceMemoryAfterItsBanEnded() throws {
        var memory = BanMemory(memorySeconds: 7 * day)
        let first = try policy().decide(probe: probe(source), history: memory, at: 0).get()
        memory.banned(first, expiresAt: Int64(day) * 1000)
        let later = Int64(day + 7 * day) * 1000 + 1
        #expect(memory.priorOffences(of: first.target, at: Int64(day + 6 * day) * 1000) == 1)
        #expect(memory.priorOffences(of: first.target, at: later) == 0)
        #expect(try policy().decide(probe: probe(source), history: memory, at: later).get().seconds == day)
    }

    @Test func manualBansEscalateWithoutForAndKeepTheirLengthWithIt() throws {
        var memory = BanMemory(memorySeconds: 30 * day)
        let probeBan = try policy().decide(probe: probe(source), history: memory, at: 0).get()
        memory.banned(probeBan, expiresAt: 1)
        let plain = try policy().decide(manual: CIDR(host: source), seconds: nil, reason: "again", force: false,
                                        localAddresses: [], history: memory, at: 10).get()
        #expect(plain.seconds == 2 * day && plain.offence == 2)
        let asked = try policy().decide(manual: CIDR(host: source), seconds: 60, reason: nil, force: false,
                                        localAddresses: [], history: memory, at: 10).get()
        #expect(asked.seconds == 60 && asked.term == .requested && asked.offence == 2)
    }

    @Test func fleetBansKeepTheFleetsLengthButCount() throws {
        var memory = BanMemory(memorySeconds: 30 * day)
        memory.banned(try policy().decide(probe: probe(source), history: memory, at: 0).get(), expiresAt: 1)
        let fleet = try policy().decide(fleet: CIDR(host: source), seconds: 600, source: "lapi:crowdsec", history: memory, at: 10).get()
        #expect(fleet.seconds == 600 && fleet.offence == 2 && fleet.term == .fleet)
    }

    @Test func aBannedSourceProbingAgainRenewsItsBanAtItsOwnLengthAtMostOnceAMinute() throws {
        let p = policy()
        let ban = Ban(address: source, expiresAt: 3_600_000, since: 0, offence: 2, seconds: 3_600)
        #expect(p.renewal(of: ban, at: 30_000) == nil)                 // would gain 30 s only
        let r = try #require(p.renewal(of: ban, at: 60_000))
        #expect(r.seconds == 3_600 && r.offence == 2 && r.term == .renewed)
        #expect(p.renewal(of: Ban(address: source, expiresAt: nil, offence: 1, seconds: 0), at: 60_000) == nil)
        let short = Ban(address: source, expiresAt: 90_000, since: 0, offence: 1, seconds: 90)
        #expect(p.renewal(of: short, at: 9_000) != nil)               // a tenth of a 90 s ban
        #expect(p.renewal(of: short, at: 8_000) == nil)
    }

    @Test func memoryIsBoundedTheLeastRecentlyBannedForgottenFirst() throws {
        var memory = BanMemory(capacity: 100, memorySeconds: 30 * day)
        for i in 0..<1_000 {
            let d = BanDecision(target: CIDR(host: .v4(UInt32(i))), seconds: 60, origin: .manual(reason: nil), time: 0)
            memory.banned(d, expiresAt: 60_000)
        }
        #expect(memory.count == 100)
        #expect(memory.priorOffences(of: CIDR(host: .v4(999)), at: 1) == 1)
        #expect(memory.priorOffences(of: CIDR(host: .v4(0)), at: 1) == 0)
        #expect(memory.records.first?.target == CIDR(host: .v4(900)))
    }

    @Test func configChecksTheLifecycleKeys() {
        let base = "TCP_PORTS=\"1\"\n"
        func message(_ text: String) -> String? {
            do { _ = try ConfigParser.parse(base + text, path: "test.conf"); return nil } catch { return error.description }
        }
        #expect(message("BAN_TIME=\"24h\"\nBAN_TIME_MAX=\"1h\"\n")?.contains("test.conf:3") == true)
        #expect(message("BAN_TIME=\"24h\"\nBAN_TIME_MAX=\"1h\"\n")?.contains("shorter than BAN_TIME") == true)
        #expect(message("BAN_TIME_INCREMENT=\"0.5\"\n")?.contains("use a number from 1") == true)
        #expect(message("BAN_TIME_INCREMENT=\"2x\"\n") != nil)
        #expect(message("BAN_TIME_INCREMENT=\"1e3\"\n") != nil)
        #expect(message("BAN_TIME_INCREMENT=\"1.5\"\n") == nil)
        #expect(message("SCAN_WINDOW=\"0\"\n")?.contains("out of range") == true)
        #expect(message("SCAN_WINDOW=\"31d\"\n")?.contains("out of range") == true)
        #expect(message("SCAN_WINDOW=\"10m\"\nSCAN_TRIGGER=\"300\"\n")?.contains("at most 256") == true)
        #expect(message("SCAN_TRIGGER=\"300\"\n") == nil)
    }
}
