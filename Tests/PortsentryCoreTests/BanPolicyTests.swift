import PortsentryCore
import Testing

@Suite struct BanPolicyTests {
    let policy = BanPolicy(banSeconds: 3600, ignoreList: IgnoreList([try! CIDR.parse("192.0.2.0/28").cidr]))
    let local: Set<IPAddress> = [IPAddress("198.51.100.1")!, IPAddress("::1")!]

    func target(_ text: String, force: Bool = false, seconds: UInt64? = nil) throws -> CIDR {
        try policy.decide(manual: try CIDR.parse(text).cidr, seconds: seconds, reason: nil, force: force, localAddresses: local)
            .get().target
    }

    func refusal(_ text: String, force: Bool = false) throws -> BanRefusal? {
        guard case .failure(let r) = policy.decide(manual: try CIDR.parse(text).cidr, seconds: nil, reason: nil,
                                                   force: force, localAddresses: local) else { return nil }
        return r
    }

    @Test func hostIsBannedForBanTimeOrTheGivenLength() throws {
        #expect(try target("203.0.113.9") == CIDR(host: IPAddress("203.0.113.9")!))
        let d = try policy.decide(manual: try CIDR.parse("203.0.113.9").cidr, seconds: 60, reason: "why", force: false, localAddresses: [])
            .get()
        #expect(d.seconds == 60 && d.origin == .manual(reason: "why"))
        #expect(try policy.decide(manual: try CIDR.parse("203.0.113.9").cidr, seconds: nil, reason: nil, force: false, localAddresses: [])
            .get().seconds == 3600)
    }

    @Test(arguments: ["203.0.113.4/30", "203.0.113.0/24", "10.0.0.0/8", "2001:db8:1:2::/64", "2001:db8::/32", "2001::/16"])
    func networksAreBannedAsOneElement(_ text: String) throws {
        #expect(try target(text) == CIDR.parse(text).cidr)
    }

    @Test(arguments: ["10.0.0.0/7", "2001::/15", "::/0", "0.0.0.0/0"])
    func largeNetworksAreRefusedEvenWithForce(_ text: String) throws {
        let r = try #require(try refusal(text, force: true))
        #expect("\(r)".contains("network too large"))
    }

    @Test(arguments: [("192.0.2.3", "is in the ignore file"), ("192.0.2.0/30", "is in the ignore file"),
                      ("198.51.100.1", "is an address of this host"), ("::1", "is an address of this host"),
                      ("::ffff:198.51.100.1", "is an address of this host")])
    func ignoredAndLocalAddressesNeedForce(_ text: String, _ why: String) throws {
        let r = try #require(try refusal(text))
        #expect("\(r)".contains(why))
        #expect("\(r)".contains("--force"))
        #expect(try target(text, force: true) == CIDR.parse(text).cidr)
    }

    @Test func probesAreBannedForBanTimeWithTheirEvidence() throws {
        let e = ProbeEvent(source: IPAddress("::ffff:203.0.113.5")!, destination: IPAddress("192.0.2.1")!, proto: .tcp,
                           port: 23, type: .tcpSyn, ipOptions: .notSet, mode: .stealth)
        let d = try policy.decide(probe: e, at: 42).get()
        #expect(d.target == CIDR(host: IPAddress("203.0.113.5")!) && d.seconds == 3600 && d.time == 42)
        #expect(d.origin == .probe(ProbeEvidence(proto: .tcp, port: 23, type: "TCP SYN/Normal scan", mode: .stealth)))
    }

    @Test func restoredProbeBansOfNowIgnoredAddressesAreRefused() {
        let probe = BanOrigin.probe(ProbeEvidence(proto: .tcp, port: 23, type: "TCP SYN/Normal scan"))
        #expect(policy.admits(restored: Ban(address: IPAddress("192.0.2.5")!, expiresAt: nil, origin: probe)) == .ignored(IPAddress("192.0.2.5")!))
        #expect(policy.admits(restored: Ban(address: IPAddress("192.0.2.5")!, expiresAt: nil, origin: .manual(reason: nil))) == nil)
        #expect(policy.admits(restored: Ban(address: IPAddress("203.0.113.1")!, expiresAt: nil, origin: probe)) == nil)
    }

    @Test func localAddressesIncludeLoopback() {
        #expect(LocalAddresses.current().contains(IPAddress("127.0.0.1")!))
    }
}

@Suite struct BackendRuleTests {
    func rule(_ configure: (inout Config) -> Void) -> BackendRule {
        var c = Config()
        configure(&c)
        return BackendRule(c)
    }

    @Test func aConfigWithoutLegacyMethodsUsesNftables() {
        #expect(rule { _ in }.backend == .nftables)
        #expect(rule { $0.killRunCmd = "logger $TARGET$" }.backend == .nftables)   // a hook does not choose
    }

    @Test(arguments: ["KILL_ROUTE", "KILL_HOSTS_DENY"])
    func aLegacyMethodKeepsTheLegacyBackend(_ key: String) {
        let r = rule { if key == "KILL_ROUTE" { $0.killRoute = "x $TARGET$" } else { $0.killHostsDeny = "x $TARGET$" } }
        #expect(r.reason.contains(key))
        #expect(r.backend == .commands)
        #expect(r.line.hasPrefix("Blocking backend: command (BLOCK_BACKEND=\"auto\" and the config names "))
        #expect(r.line.contains("set BLOCK_BACKEND=\"nftables\""))
    }

    @Test func explicitChoicesWin() {
        #expect(rule { $0.killHostsDeny = "x $TARGET$"; $0.blockBackend = .nftables }.backend == .nftables)
        #expect(rule { $0.blockBackend = .command }.backend == .commands)
        #expect(rule { $0.blockTCP = .logOnly; $0.blockUDP = .runCommandOnly }.backend == .none)
    }
}

@Suite struct FleetPolicyTests {
    @Test func fleetBansAreRefusedForProtectedAndIgnoredAddresses() throws {
        let protected = try CIDR.parse("203.0.113.5").cidr
        let fleet = BanPolicy(banSeconds: 3600, ignoreList: IgnoreList([try CIDR.parse("192.0.2.0/28").cidr]),
                              protection: FixedProtection(ProtectedAddresses([.configured: [protected]])))
        let d = try fleet.decide(fleet: CIDR(host: IPAddress("::ffff:203.0.113.9")!), seconds: 0, source: "lapi:crowdsec").get()
        #expect(d.target == CIDR(host: IPAddress("203.0.113.9")!) && d.seconds == 1 && d.origin == BanOrigin.fleet("lapi:crowdsec"))
        guard case .failure(.protected) = fleet.decide(fleet: CIDR(host: IPAddress("203.0.113.5")!), seconds: 60, source: "lapi:cscli"),
              case .failure(.ignored) = fleet.decide(fleet: CIDR(host: IPAddress("192.0.2.3")!), seconds: 60, source: "lapi:cscli"),
              case .failure(.protected) = fleet.decide(fleet: try CIDR.parse("203.0.113.0/24").cidr, seconds: 60, source: "lapi:cscli"),
              case .failure(.ignored) = fleet.decide(fleet: try CIDR.parse("192.0.0.0/16").cidr, seconds: 60, source: "lapi:cscli"),
              case .failure(.networkTooLarge) = fleet.decide(fleet: try CIDR.parse("100.0.0.0/6").cidr, seconds: 60, source: "lapi:cscli")
        else { Issue.record("a protected or ignored address was banned by the fleet"); return }
        #expect(try fleet.decide(fleet: CIDR.parse("198.51.100.0/24").cidr, seconds: 60, source: "lapi:cscli").get().target
            == CIDR.parse("198.51.100.0/24").cidr)
    }
}
