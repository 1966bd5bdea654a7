import Glibc
import PortsentryCore
import Testing
@testable import Firewall

func cidr(_ text: String) -> CIDR { try! CIDR.parse(text).cidr }

/// The ban table keyed by ban target, and the prefix sets' command text.
@Suite struct NftPrefixBookTests {
    @Test func aPrefixAndTheHostOfItsNetworkAddressAreDifferentBans() {
        var book = BanBook()
        book.put(Ban(target: cidr("2001:db8:1:2::/64"), expiresAt: 100))
        book.put(Ban(address: ip("2001:db8:1:2::"), expiresAt: 200))
        #expect(book.count(.inet6) == 2)
        #expect(book.ban(cidr("2001:db8:1:2::/64"))?.expiresAt == 100)
        #expect(book.ban(CIDR(host: ip("2001:db8:1:2::")))?.expiresAt == 200)
        #expect(book.prefixLengths == [PrefixLength(.inet6, 64)])
    }

    @Test func coveringFindsTheHostBanFirstThenThePrefix() {
        var book = BanBook()
        book.put(Ban(target: cidr("2001:db8:1:2::/64"), expiresAt: nil))
        book.put(Ban(target: cidr("2001:db8:1::/48"), expiresAt: 50))
        book.put(Ban(address: ip("2001:db8:1:2::7"), expiresAt: nil))
        #expect(book.covering(ip("2001:db8:1:2::7"))?.target == CIDR(host: ip("2001:db8:1:2::7")))
        #expect(book.covering(ip("2001:db8:1:2::8"))?.target == cidr("2001:db8:1:2::/64"))
        #expect(book.covering(ip("2001:db8:1:3::8"))?.target == cidr("2001:db8:1::/48"))
        #expect(book.covering(ip("2001:db8:2::1")) == nil)
        #expect(book.isBanned(ip("2001:db8:1:3::8"), at: 10) && !book.isBanned(ip("2001:db8:1:3::8"), at: 60))
        book.recordHit(ip("2001:db8:1:2::9"))
        #expect(book.ban(cidr("2001:db8:1:2::/64"))?.hits == 1)
        #expect(Set(book.overlapping(CIDR(host: ip("2001:db8:1:2::7"))))
            == [CIDR(host: ip("2001:db8:1:2::7")), cidr("2001:db8:1:2::/64"), cidr("2001:db8:1::/48")])
        #expect(Set(book.overlapping(cidr("2001:db8:1:2::/63"))) == [cidr("2001:db8:1:2::/64"), CIDR(host: ip("2001:db8:1:2::7")),
                                                                    cidr("2001:db8:1::/48")])
        book.remove(cidr("2001:db8:1::/48"))
        #expect(book.prefixLengths == [PrefixLength(.inet6, 64)])
        #expect(book.covering(ip("2001:db8:1:3::8")) == nil)
    }

    @Test func layoutHasAMaskedRuleAndAHashSetPerPrefixLength() throws {
        var config = Config()
        config.banPrefixes = BanPrefixes(v4: 24, v6: 56)
        let layout = try NftLayout(config: config)
        let script = layout.installScript
        #expect(script.contains("add set inet portsentry banned_v4_24 { type ipv4_addr; flags dynamic,timeout; size 65536; }"))
        #expect(script.contains("add set inet portsentry banned_v6_56 { type ipv6_addr; flags dynamic,timeout; size 65536; }"))
        #expect(script.contains("add rule inet portsentry prerouting ip saddr & 255.255.255.0 @banned_v4_24 counter name \"dropped_v4\" drop"))
        #expect(script.contains("add rule inet portsentry prerouting ip6 saddr & ffff:ffff:ffff:ff00:: @banned_v6_56 counter name \"dropped_v6\" drop"))
        #expect(!script.contains("interval"))
        let hosts = try NftLayout(table: "t", hook: .input, setSize: 5, prefixes: .hosts)
        #expect(!hosts.installScript.contains("banned_v6_"))
        #expect(hosts.installScript(trap: nil, prefixes: [PrefixLength(.inet6, 48)]).contains("@banned_v6_48"))
        #expect(layout.prefixLength(ofSet: "banned_v6_64") == PrefixLength(.inet6, 64))
        #expect(layout.prefixLength(ofSet: "banned_v4_24") == PrefixLength(.inet, 24))
        #expect(layout.prefixLength(ofSet: "banned_v4") == nil && layout.prefixLength(ofSet: "banned_v4_32") == nil)
        #expect(layout.prefixLength(ofSet: "banned_v6_x") == nil)
        let text = layout.addElements([(cidr("2001:db8:1:2::/64"), 1000), (CIDR(host: ip("10.0.0.1")), nil), (cidr("2001:db8:7::/64"), nil)])
        #expect(text == "add element inet portsentry banned_v4 { 10.0.0.1 }\n"
            + "add element inet portsentry banned_v6_64 { 2001:db8:1:2:: timeout 1000ms, 2001:db8:7:: }\n")
    }
}

/// Prefix bans against the kernel, each test in its own network namespace.
@Suite(.serialized, .enabled(if: geteuid() == 0, "needs root for network namespaces and nftables"))
struct NftPrefixBackendTests {
    @Test func aPrefixIsOneElementThatCoversItsAddressesAndAnInnerAddressLiftsIt() async throws {
        try await withNamespace { ns in
            try await withBanner(ns, prefixes: .standard, maintenance: false) { (banner: NftablesBackend) async throws in
                #expect(try ns.nft("list", "chain", "inet", "portsentry", "prerouting").contains("@banned_v6_64"))
                let outcome = try await banner.ban(cidr("2001:db8:1:2::/64"), seconds: 600)
                guard case .banned(let ban, _) = outcome else { Issue.record("not banned: \(outcome)"); return }
                #expect(ban.target == cidr("2001:db8:1:2::/64"))
                #expect(Set(try ns.elements(banner.layout, set: "banned_v6_64").keys) == ["2001:db8:1:2::"])
                #expect(try ns.elements(banner.layout, .inet6).isEmpty)
                #expect(banner.isBanned(ip("2001:db8:1:2:ffff::1")) && !banner.isBanned(ip("2001:db8:1:3::1")))
                #expect(try await banner.unban([CIDR(host: ip("2001:db8:1:2::42"))]) == [cidr("2001:db8:1:2::/64")])
                #expect(try ns.elements(banner.layout, set: "banned_v6_64").isEmpty)
                #expect(!banner.isBanned(ip("2001:db8:1:2:ffff::1")))
            }
        }
    }

    @Test func aNewLengthGetsItsSetAndRuleAndARestartKeepsThem() async throws {
        try await withNamespace { ns in
            let state = "/tmp/psprefix-\(getpid())-\(ns.name).state"
            defer { unlink(state) }
            try await withBanner(ns, stateFile: state, maintenance: false) { (banner: NftablesBackend) async throws in
                _ = try await banner.ban(cidr("2001:db8:9::/48"), seconds: 600)
                _ = try await banner.ban(cidr("198.51.100.0/24"), seconds: 600)
                #expect(Set(try ns.elements(banner.layout, set: "banned_v6_48").keys) == ["2001:db8:9::"])
                let chain = try ns.nft("list", "chain", "inet", "portsentry", "prerouting")
                #expect(chain.contains("ip6 saddr & ffff:ffff:ffff:: == @banned_v6_48") && chain.contains("ip saddr & 255.255.255.0 == @banned_v4_24"))
            }
            // A fresh start (no prefix configured) finds the sets in the kernel and keeps their rules.
            try await withBanner(ns, maintenance: false) { (banner: NftablesBackend) async throws in
                #expect(Set(banner.bans().map(\.target)) == [cidr("2001:db8:9::/48"), cidr("198.51.100.0/24")])
                #expect(banner.bans().allSatisfy { $0.origin == nil || $0.expiresAt != nil })
                #expect(try ns.nft("list", "chain", "inet", "portsentry", "prerouting").contains("@banned_v6_48"))
                #expect(banner.isBanned(ip("198.51.100.77")))
            }
            // Lost by the kernel (flushed ruleset): the state file brings the prefixes back, rules included.
            try ns.nft("flush", "ruleset")
            try await withBanner(ns, stateFile: state, maintenance: false) { (banner: NftablesBackend) async throws in
                #expect(Set(banner.bans().map(\.target)) == [cidr("2001:db8:9::/48"), cidr("198.51.100.0/24")])
                #expect(Set(try ns.elements(banner.layout, set: "banned_v4_24").keys) == ["198.51.100.0"])
                #expect(try ns.nft("list", "chain", "inet", "portsentry", "prerouting").contains("@banned_v4_24"))
            }
        }
    }

    @Test func kernelHostBansInsideANewPrefixAreFoldedIntoIt() async throws {
        try await withNamespace { ns in
            try await withBanner(ns, prefixes: .standard, maintenance: false) { (banner: NftablesBackend) async throws in
                // The trap's own host bans, in its set: two of one /64 (they raced the daemon's commit), one elsewhere.
                for host in ["2001:db8:1:2::7", "2001:db8:1:2::8", "2001:db8:9::1"] {
                    try ns.nft("add", "element", "inet", "portsentry", "trapped_v6", "{ \(host) timeout 10m }")
                }
                _ = try await banner.ban(CIDR(host: ip("2001:db8:1:2::9")), seconds: 600)   // a ban of the daemon's own
                let evidence = ProbeEvidence(proto: .tcp, port: 23, type: "TCP SYN/Normal scan", byKernel: true)
                let decision = BanDecision(target: cidr("2001:db8:1:2::/64"), seconds: 600, origin: .probe(evidence),
                                           source: ip("2001:db8:1:2::7"))
                let results = await withCheckedContinuation { c in
                    banner.schedule {
                        let results = banner.apply([decision])
                        banner.absorbKernelBans(["2001:db8:1:2::7", "2001:db8:1:2::8", "2001:db8:9::1", "2001:db8:1:2::9"].map(ip))
                        c.resume(returning: results)
                    }
                }
                #expect(results.first?.succeeded == true)
                #expect(results.first?.steps.first?.enforcement == .nftables(table: "portsentry", set: "banned_v6_64"))
                #expect(Set(try ns.elements(banner.layout, set: "trapped_v6").keys) == ["2001:db8:9::1"])
                #expect(Set(try ns.elements(banner.layout, .inet6).keys) == ["2001:db8:1:2::9"])
                #expect(Set(try ns.elements(banner.layout, set: "banned_v6_64").keys) == ["2001:db8:1:2::"])
                // Unblock of the prefix lifts the daemon's host ban inside it too, and a host the
                // trap added in the prefix after the fold (a late race) leaves the trap set.
                try ns.nft("add", "element", "inet", "portsentry", "trapped_v6", "{ 2001:db8:1:2::a timeout 10m }")
                #expect(Set(try await banner.unban([cidr("2001:db8:1:2::/64")])) == [cidr("2001:db8:1:2::/64"), CIDR(host: ip("2001:db8:1:2::9"))])
                #expect(try ns.elements(banner.layout, .inet6).isEmpty)
                #expect(Set(try ns.elements(banner.layout, set: "trapped_v6").keys) == ["2001:db8:9::1"])
            }
        }
    }
}
