import CPcap
import PortsentryCore
import Testing
@testable import Capture

@Suite struct CaptureFilterTests {
    static let addresses = [IPAddress("192.0.2.1")!, IPAddress("2001:db8::1")!, IPAddress("198.51.100.2")!]

    /// Whether libpcap accepts the expression for an Ethernet handle.
    static func compiles(_ expression: String) -> Bool {
        guard let dead = pcap_open_dead(1, 256) else { return false }
        defer { pcap_close(dead) }
        var program = bpf_program()
        guard pcap_compile(dead, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else { return false }
        pcap_freecode(&program)
        return true
    }

    @Test func buildsACompilableFilterWithPortsForShortLists() {
        let f = CaptureFilter.expression(addresses: Self.addresses, tcpPorts: PortSet([1...1, 5...9]), udpPorts: PortSet([53...53]))
        #expect(f.contains("tcp dst portrange 5-9") && f.contains("udp dst port 53") && f.contains("dst host 2001:db8::1"))
        #expect(f.contains("tcp[13] & 0x14 = 0") && f.contains("ip6[53] & 0x14 = 0"))
        #expect(Self.compiles(f))
    }

    @Test func leavesLongPortListsToSwift() {
        let many = PortSet(stride(from: UInt16(2), to: 200, by: 2).map { $0...$0 })
        let f = CaptureFilter.expression(addresses: Self.addresses, tcpPorts: many, udpPorts: .empty)
        #expect(!f.contains("dst port") && !f.contains("udp"))
        #expect(Self.compiles(f))
    }

    @Test func matchesNothingWithoutAddressesOrPorts() {
        #expect(CaptureFilter.expression(addresses: [], tcpPorts: PortSet([1...1]), udpPorts: .empty) == CaptureFilter.matchNothing)
        #expect(CaptureFilter.expression(addresses: Self.addresses, tcpPorts: .empty, udpPorts: .empty) == CaptureFilter.matchNothing)
        #expect(Self.compiles(CaptureFilter.matchNothing))
    }

    @Test func groupsConsecutivePorts() {
        #expect(CaptureFilter.runs(PortSet([1...3, 5...5, 7...8, 65535...65535])) == [1...3, 5...5, 7...8, 65535...65535])
    }
}

@Suite struct ListenerTableTests {
    static let tcp4 = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1
           1: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1
           2: 0100007F:1F90 0200007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 3 1
        """
    static let tcp6 = """
          sl  local_address                         remote_address                        st
           0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 0
           1: B80D0120000000000000000001000000:01BB 00000000000000000000000000000000:0000 0A 0
           2: 0000000000000000FFFF00000A01A8C0:0019 00000000000000000000000000000000:0000 0A 0
        """
    static let udp4 = """
          sl  local_address rem_address   st
          12: 0A01A8C0:0035 00000000:0000 07 0
        """

    @Test func readsListenersFromProcNet() {
        let t = ListenerTable(tcp4: Self.tcp4, tcp6: Self.tcp6, udp4: Self.udp4, udp6: "")
        let any4 = IPAddress("203.0.113.5")!, lo = IPAddress("127.0.0.1")!, mine = IPAddress("192.168.1.10")!
        #expect(t.hasListener(.tcp, address: any4, port: 22))               // 0.0.0.0:22
        #expect(!t.hasListener(.tcp, address: IPAddress("2001:db8::9")!, port: 22))
        #expect(t.hasListener(.tcp, address: lo, port: 631) && !t.hasListener(.tcp, address: any4, port: 631))
        #expect(!t.hasListener(.tcp, address: lo, port: 8080))             // established, not listening
        #expect(t.hasListener(.tcp, address: any4, port: 80))               // [::]:80 takes IPv4 too
        #expect(t.hasListener(.tcp, address: IPAddress("2001:db8::1")!, port: 443))
        #expect(t.hasListener(.tcp, address: mine, port: 25))               // ::ffff:192.168.1.10
        #expect(t.hasListener(.udp, address: mine, port: 53) && !t.hasListener(.udp, address: lo, port: 53))
        #expect(!t.hasListener(.udp, address: mine, port: 22))
    }

    @Test func ignoresMalformedLines() {
        let t = ListenerTable(tcp4: "header\n 0: zz:0016 0 0A\n 1: 00000000 x 0A\n 2:", tcp6: "", udp4: "", udp6: "")
        #expect(!t.hasListener(.tcp, address: IPAddress("10.0.0.1")!, port: 22))
    }
}

@Suite struct ServiceLogLimiterTests {
    @Test func logsOncePerSourceAndPortPerInterval() {
        var limiter = ServiceLogLimiter(slots: 64, interval: 1000)
        let a = IPAddress("10.0.0.1")!, b = IPAddress("10.0.0.2")!
        let answers = [(a, 22, 10), (a, 22, 500), (b, 22, 500), (a, 23, 500), (a, 22, 1010)].map {
            limiter.shouldLog(source: $0.0, port: UInt16($0.1), now: UInt64($0.2))
        }
        #expect(answers == [true, false, true, true, true])
    }
}

@Suite struct StealthSettingsTests {
    @Test func advancedModeWatchesEveryPortUpToTheLimitButTheExcluded() throws {
        var config = Config()
        config.tcpPorts = PortSet([7...7])
        config.udpPorts = PortSet([9...9])
        config.advancedPortsTCP = 100
        config.advancedExcludeTCP = PortSet([20...30])
        let s = try StealthSettings(method: .pcap, interfaces: [], serviceCheck: false, protocols: [.tcp, .udp],
                                    tcpAdvanced: true, udpAdvanced: false, config: config)
        #expect(s.tcpPorts.ports.count == 89 && s.tcpPorts.contains(1) && s.tcpPorts.contains(100))
        #expect(!s.tcpPorts.contains(25) && !s.tcpPorts.contains(101))
        #expect(s.udpPorts == PortSet([9...9]))
        #expect(s.skipsListeners(.tcp) && !s.skipsListeners(.udp), "advanced mode always skips listeners")
        #expect(s.interfaces == .allButLoopback)
    }

    @Test func legacyProtocolFlagsNarrowTheWatch() throws {
        var config = Config()
        config.tcpPorts = PortSet([7...7]); config.udpPorts = PortSet([9...9])
        let s = try StealthSettings(method: .raw, interfaces: ["ALL"], serviceCheck: true, protocols: [.udp],
                                    tcpAdvanced: false, udpAdvanced: false, config: config)
        #expect(s.tcpPorts.isEmpty && s.udpPorts.contains(9) && s.interfaces == .all)
    }

    @Test(arguments: [(["ALL"], InterfaceSelection.all), (["ALL_NLO"], .allButLoopback), (["any"], .any),
                      (["eth0", "eth1"], .named(["eth0", "eth1"]))])
    func parsesInterfaceArguments(args: [String], expected: InterfaceSelection) throws {
        #expect(try InterfaceSelection(arguments: args) == expected)
    }

    @Test(arguments: [["ALL", "eth0"], ["eth0", "any"], [""], ["averyveryverylongname0"]])
    func rejectsBadInterfaceArguments(args: [String]) {
        #expect(throws: CaptureError.self) { try InterfaceSelection(arguments: args) }
    }
}

@Suite struct WrappingTotalTests {
    @Test func aWrapOfLibpcapsThirtyTwoBitCountIsNoReset() {
        var t = WrappingTotal()
        t.advance(to: 10)
        t.advance(to: UInt32.max - 4)
        t.advance(to: 5)
        #expect(t.total == UInt64(UInt32.max) + 6)
    }
}
