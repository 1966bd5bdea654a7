import Testing
@testable import PortsentryCore

/// IPV6_BAN_PREFIX / IPV4_BAN_PREFIX in the ban policy and in detection.
@Suite struct PrefixBanPolicyTests {
    func cidr(_ text: String) -> CIDR { try! CIDR.parse(text).cidr }

    func probe(_ source: String) -> ProbeEvent {
        ProbeEvent(source: IPAddress(source)!, destination: IPAddress("2001:db8:ffff::1")!, proto: .tcp, port: 23,
                   type: .tcpSyn, ipOptions: .notSet, mode: .stealth)
    }

    func policy(protect: [CIDR] = [], ignore: [CIDR] = [], prefixes: BanPrefixes = .standard) -> BanPolicy {
        BanPolicy(banSeconds: 60, ignoreList: IgnoreList(ignore),
                  protection: FixedProtection(ProtectedAddresses([.configured: protect])), prefixes: prefixes)
    }

    @Test func aProbeBansItsSourcesPrefix() throws {
        let d = try policy().decide(probe: probe("2001:db8:1:2::7"), localAddresses: []).get()
        #expect(d.target == cidr("2001:db8:1:2::/64") && d.source == IPAddress("2001:db8:1:2::7") && d.narrowed == nil)
        #expect(try policy().decide(probe: probe("192.0.2.7"), localAddresses: []).get().target == cidr("192.0.2.7"))
        let v4 = try policy(prefixes: BanPrefixes(v4: 24, v6: 128)).decide(probe: probe("::ffff:192.0.2.7"), localAddresses: []).get()
        #expect(v4.target == cidr("192.0.2.0/24"))
        #expect(try policy(prefixes: .hosts).decide(probe: probe("2001:db8:1:2::7"), localAddresses: []).get().target
            == cidr("2001:db8:1:2::7"))
    }

    @Test(arguments: [
        ("protect", "2001:db8:1:2::53", "2001:db8:1:2::53 (PROTECT) shares 2001:db8:1:2::/64"),
        ("protect", "2001:db8:1:2::100/120", "2001:db8:1:2::100/120 (PROTECT) shares 2001:db8:1:2::/64"),
        ("ignore", "2001:db8:1:2:8000::/65", "2001:db8:1:2:8000::/65 (ignore file) shares 2001:db8:1:2::/64"),
        ("ignore", "2001:db8:1::/48", "2001:db8:1::/48 (ignore file) shares 2001:db8:1:2::/64"),
        ("local", "2001:db8:1:2::1", "2001:db8:1:2::1 (an address of this host) is inside 2001:db8:1:2::/64"),
    ])
    func aPrefixHoldingWhatMustNotBeBannedFallsBackToTheHost(_ kind: String, _ entry: String, _ why: String) throws {
        let p = policy(protect: kind == "protect" ? [cidr(entry)] : [], ignore: kind == "ignore" ? [cidr(entry)] : [])
        let local: Set<IPAddress> = kind == "local" ? [IPAddress(entry)!] : [IPAddress("2001:db8:9::1")!]
        let d = try p.decide(probe: probe("2001:db8:1:2::7"), localAddresses: local).get()
        #expect(d.target == cidr("2001:db8:1:2::7"))
        #expect(d.narrowed == "\(why); banned the host alone")
    }

    @Test func aProtectedSourceIsStillRefusedAndALoneHostAskesNoLocalAddresses() throws {
        #expect(throws: BanRefusal.protected(IPAddress("2001:db8:1:2::7")!, .configured)) {
            try policy(protect: [cidr("2001:db8:1:2::7")]).decide(probe: probe("2001:db8:1:2::7"), localAddresses: []).get()
        }
        var asked = false
        func local() -> Set<IPAddress> { asked = true; return [] }
        _ = policy(prefixes: .hosts).decide(probe: probe("2001:db8:1:2::7"), localAddresses: local())
        #expect(!asked)
    }

    @Test func manualPrefixBansAreOneElementAndRefuseWhatTheyMustNotHit() throws {
        let p = policy(protect: [cidr("2001:db8:1:2::53")], ignore: [cidr("2001:db8:5::/48")])
        #expect(try p.decide(manual: cidr("2001:db8:7::/48"), seconds: nil, reason: nil, force: false, localAddresses: []).get().target
            == cidr("2001:db8:7::/48"))
        guard case .failure(.protected(IPAddress("2001:db8:1:2::53")!, .configured)) =
                p.decide(manual: cidr("2001:db8:1::/48"), seconds: nil, reason: nil, force: true, localAddresses: []),
              case .failure(.ignored) = p.decide(manual: cidr("2001:db8:4::/46"), seconds: nil, reason: nil, force: false, localAddresses: []),
              case .failure(.localAddress) = p.decide(manual: cidr("2001:db8:9::/48"), seconds: nil, reason: nil, force: false,
                                                      localAddresses: [IPAddress("2001:db8:9::1")!])
        else { Issue.record("a manual prefix over a protected, ignored or local address was not refused"); return }
        #expect(try p.decide(manual: cidr("2001:db8:5::/64"), seconds: nil, reason: nil, force: true, localAddresses: []).get().target
            == cidr("2001:db8:5::/64"))
    }

    @Test func aRestoredPrefixIsRefusedWhenSomethingProtectedIsNowInside() {
        let p = policy(protect: [cidr("2001:db8:1:2::53")], ignore: [cidr("2001:db8:3:4::9")])
        let probeOrigin = BanOrigin.probe(ProbeEvidence(proto: .tcp, port: 23, type: "TCP SYN/Normal scan"))
        #expect(p.admits(restored: Ban(target: cidr("2001:db8:1:2::/64"), expiresAt: nil, origin: .manual(reason: nil)))
            == .protected(IPAddress("2001:db8:1:2::53")!, .configured))
        #expect(p.admits(restored: Ban(target: cidr("2001:db8:3:4::/64"), expiresAt: nil, origin: probeOrigin))
            == .ignored(IPAddress("2001:db8:3:4::9")!))
        #expect(p.admits(restored: Ban(target: cidr("2001:db8:3:4::/64"), expiresAt: nil, origin: .manual(reason: nil))) == nil)
    }

    @Test func overlapQueriesFindEntriesInsideAndAround() {
        let list = IgnoreList([cidr("10.1.2.3"), cidr("10.8.0.0/16"), cidr("2001:db8:1:2::/64")])
        #expect(list.overlap(with: cidr("10.1.2.0/24")) == cidr("10.1.2.3"))
        #expect(list.overlap(with: cidr("10.8.4.0/24")) == cidr("10.8.0.0/16"))
        #expect(list.overlap(with: cidr("10.9.0.0/16")) == nil)
        #expect(list.overlap(with: cidr("2001:db8:1::/48")) == cidr("2001:db8:1:2::/64"))
        #expect(list.overlap(with: cidr("2001:db8:1:3::/64")) == nil)
    }
}

@Suite struct PrefixCountingTests {
    func engine(trigger: Int, prefixes: BanPrefixes) -> DetectionEngine {
        var c = Config()
        c.scanTrigger = trigger
        c.banPrefixes = prefixes
        return DetectionEngine(settings: DetectionSettings(config: c, ignoreList: .empty, localCheck: true), sourceCapacity: 16)
    }

    func probe(_ source: String) -> ProbeEvent {
        ProbeEvent(source: IPAddress(source)!, destination: IPAddress("2001:db8:ffff::1")!, proto: .tcp, port: 23,
                   type: .tcpSyn, ipOptions: .notSet, mode: .stealth)
    }

    @Test func probesOfOnePrefixCountTogether() {
        let e = engine(trigger: 2, prefixes: .standard)
        #expect(e.receive(probe("2001:db8:1:2::a")).outcome.triggered == false)
        #expect(e.receive(probe("2001:db8:1:3::a")).outcome.triggered == false)   // another /64
        let second = e.receive(probe("2001:db8:1:2::b"))
        #expect(second.outcome.triggered == true && second.action == .block)
        e.resetCount(of: IPAddress("2001:db8:1:2::c")!)   // an unblock of an address inside resets the /64
        #expect(e.receive(probe("2001:db8:1:2::a")).outcome.triggered == false)
    }

    @Test func singleHostsCountAlone() {
        let e = engine(trigger: 2, prefixes: .hosts)
        #expect(e.receive(probe("2001:db8:1:2::a")).outcome.triggered == false)
        #expect(e.receive(probe("2001:db8:1:2::b")).outcome.triggered == false)
        let v4 = engine(trigger: 2, prefixes: BanPrefixes(v4: 24, v6: 128))
        #expect(v4.receive(probe("192.0.2.1")).outcome.triggered == false)
        #expect(v4.receive(probe("192.0.2.200")).outcome.triggered == true)
    }

    @Test func prefixLengthsOutsideTheBoundsAreRefusedWithTheReason() throws {
        for (text, family) in [("15", AddressFamily.inet6), ("129", .inet6), ("7", .inet), ("33", .inet), ("", .inet), ("+24", .inet)] {
            #expect(throws: ValueError.self) { try ConfigValue.banPrefix(text, family) }
        }
        #expect(try ConfigValue.banPrefix("16", .inet6) == 16 && ConfigValue.banPrefix("32", .inet) == 32)
        do { _ = try ConfigValue.banPrefix("8", .inet6) } catch { #expect("\(error)".contains("from 16 to 128")) }
    }
}
