import Foundation
import PortsentryCore
import Testing
@testable import Firewall

@Suite struct NftLayoutTests {
    @Test func referenceFileIsTheDefaultInstallScript() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = try String(contentsOf: root.appendingPathComponent("nft/portsentry.nft"), encoding: .utf8)
        let commands = file.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n") + "\n"
        let layout = try NftLayout(config: Config())
        #expect(commands == layout.installScript)
    }

    @Test(arguments: ["", "1table", "port sentry", "x;flush ruleset", "tab\u{e9}", String(repeating: "a", count: 65)])
    func badTableNamesAreRejected(_ name: String) {
        #expect(throws: NftError.invalidName(name)) { try NftLayout(table: name, hook: .prerouting, setSize: 10) }
    }

    @Test func setSizeMustBePositive() {
        #expect(throws: NftError.invalidSetSize(0)) { try NftLayout(table: "t", hook: .input, setSize: 0) }
    }

    @Test func inputHookUsesFilterPriorityAndRemovesThePreroutingChain() throws {
        let script = try NftLayout(table: "t", hook: .input, setSize: 5).installScript
        #expect(script.contains("add chain inet t input { type filter hook input priority filter; policy accept; }"))
        #expect(script.contains("delete chain inet t prerouting"))
        #expect(script.contains("size 5;"))
    }

    @Test func elementCommandsCarryCanonicalAddressesPerFamily() throws {
        let layout = try NftLayout(table: "t", hook: .prerouting, setSize: 5)
        let text = layout.addElements([(CIDR(host: ip("10.0.0.1")), 1500), (CIDR(host: ip("FD00:0:0::1")), nil), (CIDR(host: ip("10.0.0.2")), 0)])
        #expect(text == "add element inet t banned_v4 { 10.0.0.1 timeout 1500ms, 10.0.0.2 timeout 1ms }\n"
            + "add element inet t banned_v6 { fd00::1 }\n")
        #expect(layout.deleteElements([]) == "")
    }

    @Test(arguments: ["localhost", "10.0.0.1; flush ruleset", "10.0.0.256", "10.0.0.1 ", "::1%lo", "1.2.3"])
    func malformedAddressesNeverBecomeIPAddresses(_ text: String) {
        // The backend's API takes only IPAddress values, so these never reach a command string.
        #expect(IPAddress(text) == nil)
    }

    @Test func banLogLine() throws {
        #expect(LogLine.blockedViaNftables(CIDR(host: ip("10.1.2.3")), table: "portsentry", set: "banned_v4", duration: BanDuration(seconds: 90))
            == "attackalert: Host 10.1.2.3 has been blocked via nftables set inet portsentry banned_v4 for 1m30s")
        #expect(LogLine.blockedViaNftables(CIDR(host: ip("::1")), table: "p", set: "banned_v6", duration: BanDuration(seconds: 0))
            == "attackalert: Host ::1 has been blocked via nftables set inet p banned_v6 for ever")
    }
}

@Suite struct NftKernelTrapLayoutTests {
    /// The trap of nft/portsentry-kernel-ban.nft.
    static let example = KernelTrap(
        watchedTCP: PortSet([21...21, 23...23, 135...135, 139...139, 445...445, 3389...3389, 40000...40000]),
        watchedUDP: PortSet([69...69, 137...137]), servedTCP: .empty, servedUDP: .empty, ephemeral: 32768...60999,
        exempt: [CIDR(address: IPAddress("192.168.0.0")!, prefixLength: 16), CIDR(host: IPAddress("192.0.2.53")!),
                 CIDR(address: IPAddress("fd00::")!, prefixLength: 8)],
        ingress: .notLoopback, banSeconds: 86_400)

    @Test func referenceFileIsTheInstallScriptWithTheExampleTrap() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = try String(contentsOf: root.appendingPathComponent("nft/portsentry-kernel-ban.nft"), encoding: .utf8)
        let commands = file.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n") + "\n"
        let script = try NftLayout(config: Config()).installScript(trap: Self.example)
        #expect(commands == script, "expected:\n\(script)")
    }

    @Test func tcpIsTrappedAtRawAndUDPAfterConntrack() throws {
        let script = try NftLayout(config: Config()).installScript(trap: Self.example)
        #expect(script.contains("add rule inet portsentry prerouting iifname != \"lo\" meta nfproto ipv4 meta l4proto tcp tcp flags & (ack|rst) == 0 tcp dport { 21, 23, 135, 139, 445, 3389 } fib daddr . iif type local ip saddr & 255.255.0.0 != { 192.168.0.0 } ip saddr & 255.0.0.0 != { 127.0.0.0 } ip saddr != { 192.0.2.53 } add @trapped_v4 { ip saddr timeout 600s } counter drop") == false)
        #expect(script.contains("ip saddr & 255.0.0.0 != { 127.0.0.0 } ip saddr & 255.255.0.0 != { 192.168.0.0 } ip saddr != { 192.0.2.53 } add @trapped_v4 { ip saddr timeout 600s } counter drop"))
        #expect(script.contains("add chain inet portsentry prerouting_ct { type filter hook prerouting priority mangle; policy accept; }"))
        #expect(script.contains("add rule inet portsentry prerouting_ct iifname != \"lo\" meta nfproto ipv6 meta l4proto udp udp dport { 69, 137 } ct state new"))
        #expect(!script.contains("40000"))
    }

    @Test func withTheInputHookEverythingIsInOneChain() throws {
        let script = try NftLayout(table: "t", hook: .input, setSize: 5).installScript(trap: Self.example)
        #expect(!script.contains("add chain inet t prerouting_ct {"))
        #expect(script.contains("add rule inet t input iifname != \"lo\" meta nfproto ipv4 meta l4proto udp"))
    }

    @Test func aWholeFamilyExemptGetsNoRuleAndNoTrapMeansNoRule() throws {
        var trap = Self.example
        trap.exempt.append(CIDR(address: IPAddress("::")!, prefixLength: 0))
        let layout = try NftLayout(config: Config())
        #expect(!layout.installScript(trap: trap).contains("nfproto ipv6"))
        #expect(layout.installScript(trap: trap).contains("nfproto ipv4"))
        #expect(!layout.installScript.contains("add @"))
        #expect(layout.installScript(trap: trap, dynamicSets: false).contains("flags timeout;"))
    }

    @Test func theTrapAddsToItsOwnSetsWhoseDropRulesComeFirst() throws {
        let script = try NftLayout(table: "t", hook: .prerouting, setSize: 5).installScript(trap: Self.example)
        #expect(script.contains("add set inet t trapped_v4 { type ipv4_addr; flags dynamic,timeout; size 5; }"))
        #expect(script.contains("add set inet t trapped_v6 { type ipv6_addr; flags dynamic,timeout; size 5; }"))
        let drop = try #require(script.range(of: "add rule inet t prerouting ip saddr @trapped_v4 counter name \"dropped_v4\" drop"))
        let trap = try #require(script.range(of: "add @trapped_v4 { ip saddr timeout 600s }"))
        #expect(drop.upperBound < trap.lowerBound)
        #expect(!script.contains("add @banned"))
    }

    @Test func aTrapSetHoldsASourceTenMinutesOrBanTimeIfShorter() {
        #expect(NftLayout.trapTimeout(banSeconds: 86_400) == 600)
        #expect(NftLayout.trapTimeout(banSeconds: 0) == 600)
        #expect(NftLayout.trapTimeout(banSeconds: 90) == 90)
    }

    @Test func trapElementsAreDeletedPerFamilyNeverAdded() throws {
        let layout = try NftLayout(table: "t", hook: .prerouting, setSize: 5)
        #expect(layout.deleteTrapElements([ip("fd00::1"), ip("10.0.0.1"), ip("10.0.0.2")])
            == "delete element inet t trapped_v4 { 10.0.0.1, 10.0.0.2 }\ndelete element inet t trapped_v6 { fd00::1 }\n")
        #expect(layout.flushSets(prefixes: []).contains("flush set inet t trapped_v6\n"))
    }

    @Test func masksAreNetmasks() throws {
        #expect(try CIDR.parse("10.16.0.0/20").cidr.netmask.description == "255.255.240.0")
        #expect(try CIDR.parse("2001:db8:1::/48").cidr.netmask.description == "ffff:ffff:ffff::")
        #expect(try CIDR.parse("2001:db8::/72").cidr.netmask.description == "ffff:ffff:ffff:ffff:ff00::")
        #expect(try CIDR.parse("0.0.0.0/0").cidr.netmask.description == "0.0.0.0")
    }
}
