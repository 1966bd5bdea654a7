import PortsentryCore
import Testing

@Suite struct ProtectionTests {
    func cidr(_ t: String) -> CIDR { try! CIDR.parse(t).cidr }
    var protected: ProtectedAddresses {
        ProtectedAddresses([.defaultGateway: [cidr("192.0.2.254")], .resolver: [cidr("2001:db8::53")],
                            .configured: [cidr("198.51.100.0/24")], .localAddress: [cidr("192.0.2.1")]])
    }

    @Test func eachAddressKnowsItsReason() {
        #expect(protected.reason(for: IPAddress("192.0.2.254")!) == .defaultGateway)
        #expect(protected.reason(for: IPAddress("::ffff:192.0.2.254")!) == .defaultGateway)
        #expect(protected.reason(for: IPAddress("2001:db8::53")!) == .resolver)
        #expect(protected.reason(for: IPAddress("198.51.100.77")!) == .configured)
        #expect(protected.reason(for: IPAddress("192.0.2.1")!) == .localAddress)
        #expect(protected.reason(for: IPAddress("203.0.113.9")!) == nil)
    }

    @Test func aProtectedSourceIsNeverBannedNotEvenByForceOrRestore() throws {
        let policy = BanPolicy(banSeconds: 60, ignoreList: .empty, protection: FixedProtection(protected))
        let probe = ProbeEvent(source: IPAddress("192.0.2.254")!, destination: IPAddress("192.0.2.1")!, proto: .tcp, port: 23,
                               type: .tcpSyn, ipOptions: .notSet, mode: .stealth)
        #expect(throws: BanRefusal.protected(IPAddress("192.0.2.254")!, .defaultGateway)) { try policy.decide(probe: probe).get() }
        let forced = policy.decide(manual: cidr("192.0.2.252/30"), seconds: nil, reason: nil, force: true, localAddresses: [])
        guard case .failure(let refusal) = forced else { Issue.record("a forced block of the gateway's network went through"); return }
        #expect("\(refusal)" == "192.0.2.254 is protected (default gateway); it is never blocked, not even with --force")
        #expect(policy.admits(restored: Ban(address: IPAddress("198.51.100.3")!, expiresAt: nil, origin: .manual(reason: nil)))
            == .protected(IPAddress("198.51.100.3")!, .configured))
        #expect(try policy.decide(manual: cidr("203.0.113.9"), seconds: nil, reason: nil, force: false, localAddresses: []).get().target == cidr("203.0.113.9"))
    }

    @Test func defaultGatewaysFromTheRoutingTables() {
        let route = """
            Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
            eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
            eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
            """
        #expect(HostNetworkFiles.ipv4DefaultGateways(route) == [IPAddress("192.0.2.1")!])
        let route6 = """
            fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
            00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000002 00000000 00000003     eth0
            00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
            """
        #expect(HostNetworkFiles.ipv6DefaultGateways(route6) == [IPAddress("fe80::1")!])
    }

    @Test func nameserversFromResolvConf() {
        let text = "# generated\nsearch example.org\nnameserver 192.0.2.53\nnameserver fe80::1%eth0\r\nnameserver  2001:db8::53 \nnameserver bogus\noptions edns0\n"
        #expect(HostNetworkFiles.nameservers(text) == ["192.0.2.53", "fe80::1", "2001:db8::53"].map { IPAddress($0)! })
    }

    @Test func protectKeyTakesAListAndNamesABadItem() throws {
        let good = try ConfigParser.parse("TCP_PORTS=\"1\"\nPROTECT=\"192.0.2.10, 198.51.100.0/24 2001:db8::/48\"\n", path: "p.conf")
        #expect(good.protect == [cidr("192.0.2.10"), cidr("198.51.100.0/24"), cidr("2001:db8::/48")])
        #expect(good.protectAuto && good.protectSSHPorts.contains(22))
        #expect(throws: ConfigError.self) { try ConfigParser.parse("TCP_PORTS=\"1\"\nPROTECT=\"192.0.2.10, 10.1.2.3/8\"\n", path: "p.conf") }
    }
}
