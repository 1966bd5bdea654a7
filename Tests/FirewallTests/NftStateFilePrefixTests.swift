import PortsentryCore
import Testing
import TestSupport
@testable import Firewall

/// Prefix bans in STATE_FILE: the address field holds CIDR text, host bans stay plain addresses.
@Suite struct NftStateFilePrefixTests {
    @Test func prefixBansRoundTripAsCIDRText() throws {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let file = BanStateFile(path: dir + "/bans.state")
        let bans = [
            Ban(target: cidr("2001:db8:1:2::/64"), expiresAt: 1_900_000_000_000,
                origin: .probe(ProbeEvidence(proto: .tcp, port: 23, type: "TCP SYN/Normal scan")), since: 5, hits: 2),
            Ban(target: cidr("198.51.100.0/24"), expiresAt: nil, origin: .fleet("lapi:crowdsec"), since: 6),
            Ban(address: ip("2001:db8:1:2::"), expiresAt: nil, origin: .manual(reason: nil), since: 7),
        ]
        try file.write(bans)
        #expect(try file.read() == bans)
        let text = try #require(readText(file.path))
        #expect(text.contains("\n2001:db8:1:2::/64\t") && text.contains("\n2001:db8:1:2::\t"))
    }

    @Test(arguments: ["2001:db8:1:2::7/64", "2001::/15", "10.0.0.0/7", "10.0.0.0/33"])
    func hostBitsAndTooWidePrefixesAreMalformed(_ address: String) {
        #expect(BanStateFile.parse(Substring("\(address)\tnever\t0\t-\t-\t-\t-")) == nil)
    }
}
