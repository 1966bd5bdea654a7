import PortsentryCore
import Testing

@Suite struct KernelBanRuleTests {
    func config(_ change: (inout Config) -> Void = { _ in }) -> Config {
        var c = Config()
        c.path = "/etc/portsentry/portsentry.conf"
        change(&c)
        return c
    }

    func rule(_ c: Config, stealth: Bool = true, watched: Set<TransportProtocol> = [.tcp, .udp],
              nftables: Bool = true, dryRun: Bool = false) -> KernelBanRule {
        KernelBanRule(config: c, stealth: stealth, watched: watched, nftables: nftables, dryRun: dryRun)
    }

    @Test func autoIsOnWhenEveryConditionHolds() {
        let r = rule(config())
        #expect(r.protocols == [.tcp, .udp] && r.refusal == nil)
        #expect(r.line.hasPrefix("Kernel ban: on for TCP and UDP"))
    }

    @Test func triggersZeroAndOneAreExactHigherOnesStayInUserspace() {
        #expect(rule(config { $0.scanTrigger = 1 }).isOn)
        let r = rule(config { $0.scanTrigger = 3 })
        #expect(!r.isOn && r.reason.contains("SCAN_TRIGGER=\"3\"") && r.refusal == nil)
        #expect(r.line.hasPrefix("Kernel ban: off (SCAN_TRIGGER"))
    }

    @Test(arguments: [0, 1, 2, 3, 4])
    func eachUnmetConditionTurnsAutoOffWithItsReason(_ which: Int) {
        let r = switch which {
        case 0: rule(config { $0.kernelBan = .off })
        case 1: rule(config(), dryRun: true)
        case 2: rule(config(), stealth: false)
        case 3: rule(config(), nftables: false)
        default: rule(config { $0.banRateLimit = 100 })
        }
        #expect(!r.isOn && r.refusal == nil)
        let words = ["KERNEL_BAN=\"0\"", "dry run", "connect mode", "not nftables", "BAN_RATE_LIMIT"][which]
        #expect(r.reason.contains(words))
    }

    @Test func onlyProtocolsThatBlockAndAreWatchedAreTrapped() {
        #expect(rule(config { $0.blockUDP = .logOnly }).protocols == [.tcp])
        #expect(rule(config { $0.blockTCP = .runCommandOnly }, watched: [.tcp]).isOn == false)
        #expect(rule(config(), watched: [.udp]).protocols == [.udp])
    }

    @Test func kernelBanOneRefusesAConfigThatRulesItOutNamingFileAndLine() throws {
        let c = config { $0.kernelBan = .on; $0.scanTrigger = 2; $0.lines[.kernelBan] = 7 }
        let refusal = try #require(rule(c).refusal)
        #expect(refusal.description.hasPrefix("/etc/portsentry/portsentry.conf:7: KERNEL_BAN=\"1\" cannot be met: SCAN_TRIGGER=\"2\""))
        #expect(rule(config { $0.kernelBan = .on }, dryRun: true).refusal == nil)   // a dry run keeps it off
        #expect(rule(config { $0.kernelBan = .on }).refusal == nil)
    }
}

@Suite struct KernelTrapTests {
    let ephemeral: ClosedRange<UInt16> = 32768...60999

    func trap(tcp: String = "23,135,445,3389,40000", udp: String = "69,137,50000", servedTCP: String = "",
              exempt: [String] = []) throws -> KernelTrap {
        KernelTrap(watchedTCP: try PortSet.parse(tcp), watchedUDP: try PortSet.parse(udp),
                   servedTCP: try PortSet.parse(servedTCP), servedUDP: .empty, ephemeral: ephemeral,
                   exempt: try exempt.map { try CIDR.parse($0).cidr }, ingress: .notLoopback, banSeconds: 600)
    }

    @Test func servedAndEphemeralPortsAreLeftToTheDaemon() throws {
        let t = try trap(servedTCP: "445,8080")
        #expect(t.tcpPorts.ports == [23, 135, 3389])
        #expect(t.udpPorts.ports == [69, 137])
    }

    @Test func exemptNetworksAreDisjointSortedAndAlwaysHoldLoopback() throws {
        let t = try trap(exempt: ["10.0.0.0/8", "10.1.2.3", "192.0.2.7", "127.0.0.1", "::1", "fd00::/8"])
        #expect(t.exempt.map(\.description) == ["10.0.0.0/8", "127.0.0.0/8", "192.0.2.7", "::1", "fd00::/8"])
    }

    @Test func coversProbesToTrapPortsFromSourcesOutsideTheExemptNetworks() throws {
        let t = try trap(exempt: ["192.0.2.0/24"])
        func event(_ source: String, _ proto: TransportProtocol, _ port: UInt16, mode: SentryMode = .stealth) -> ProbeEvent {
            ProbeEvent(source: IPAddress(source)!, destination: IPAddress("198.51.100.1")!, proto: proto, port: port,
                       type: proto == .tcp ? .tcpSyn : .udp, ipOptions: .notSet, mode: mode)
        }
        #expect(t.covers(event("203.0.113.9", .tcp, 23)))
        #expect(t.covers(event("::ffff:203.0.113.9", .udp, 69)))
        #expect(!t.covers(event("192.0.2.55", .tcp, 23)))        // exempt
        #expect(!t.covers(event("203.0.113.9", .tcp, 40000)))    // ephemeral: the daemon's
        #expect(!t.covers(event("203.0.113.9", .udp, 23)))       // not a UDP trap port
        #expect(!t.covers(event("203.0.113.9", .tcp, 23, mode: .connect)))
    }

    @Test(arguments: [("32768\t60999\n", 32768...60999), ("1024 65535", 1024...65535)] as [(String, ClosedRange<UInt16>)])
    func readsTheEphemeralRange(_ text: String, _ range: ClosedRange<UInt16>) {
        #expect(KernelTrap.ephemeralRange(text) == range)
    }

    @Test(arguments: ["", "60999 32768", "abc def", "1 2 3"])
    func rejectsAMalformedEphemeralRange(_ text: String) {
        #expect(KernelTrap.ephemeralRange(text) == nil)
    }

    @Test func portSetsUnite() throws {
        #expect(try PortSet.parse("1-3,9").union(PortSet.parse("3-5")).ports == [1, 2, 3, 4, 5, 9])
    }
}
