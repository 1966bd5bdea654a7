import Testing
@testable import PortsentryCore

@Suite struct CIDRTests {
    func cidr(_ text: String) throws -> CIDR { try CIDR.parse(text).cidr }
    func ip(_ text: String) throws -> IPAddress { try #require(IPAddress(text)) }

    @Test(arguments: [
        ("192.0.2.7", "192.0.2.7", false), ("192.0.2.0/24", "192.0.2.0/24", false), ("192.0.2.7/24", "192.0.2.0/24", true),
        ("0.0.0.0/0", "0.0.0.0/0", false), ("1.2.3.4/0", "0.0.0.0/0", true), ("10.1.2.3/32", "10.1.2.3", false),
        ("2001:DB8::1/32", "2001:db8::/32", true), ("::/0", "::/0", false), ("2001:db8::1/128", "2001:db8::1", false),
        ("2001:db8:0:0:8000::/65", "2001:db8:0:0:8000::/65", false), ("2001:db8::ffff/127", "2001:db8::fffe/127", true),
        ("::ffff:10.0.0.0/104", "10.0.0.0/8", false), ("::ffff:10.1.0.0/104", "10.0.0.0/8", true),
        ("::ffff:192.0.2.9", "192.0.2.9", false), ("::ffff:0:0/95", "::fffe:0:0/95", true),
    ])
    func parsesAndMasks(text: String, expected: String, hostBits: Bool) throws {
        let (parsed, hadHostBits) = try CIDR.parse(text)
        #expect(parsed.description == expected)
        #expect(hadHostBits == hostBits)
    }

    @Test(arguments: ["", "/24", "1.2.3.4/", "1.2.3.4/33", "::/129", "1.2.3.4/-1", "1.2.3.4/+8", "1.2.3.4/08x",
                      "1.2.3.4/8/8", "host/8", "1.2.3.4 /8", "1.2.3.4/0000"])
    func rejectsMalformed(text: String) {
        #expect(throws: ValueError.self) { try CIDR.parse(text) }
    }

    @Test func matchesIPv4Networks() throws {
        let net = try cidr("10.20.0.0/14")
        #expect(net.contains(try ip("10.20.0.0")))
        #expect(net.contains(try ip("10.23.255.255")))
        #expect(!net.contains(try ip("10.24.0.0")))
        #expect(!net.contains(try ip("10.19.255.255")))
        #expect(net.contains(try ip("::ffff:10.21.1.1")))
        #expect(!net.contains(try ip("::a14:1")))
        #expect(try cidr("0.0.0.0/0").contains(try ip("255.255.255.255")))
        #expect(!(try cidr("0.0.0.0/0").contains(try ip("::1"))))
    }

    @Test func matchesIPv6Networks() throws {
        let net = try cidr("2001:db8:abcd:12::/63")
        #expect(net.contains(try ip("2001:db8:abcd:12::1")))
        #expect(net.contains(try ip("2001:db8:abcd:13:ffff:ffff:ffff:ffff")))
        #expect(!net.contains(try ip("2001:db8:abcd:14::")))
        #expect(try cidr("2001:db8::1:2:3:4/100").contains(try ip("2001:db8::1:2:0:1")))
        #expect(!(try cidr("2001:db8::1:2:3:4/100").contains(try ip("2001:db8::1:1:0:1"))))
        #expect(try cidr("::/0").contains(try ip("ffff::")))
        #expect(!(try cidr("::/0").contains(try ip("1.2.3.4"))))
    }

    @Test func singleHostInitializerUsesTheFullWidth() throws {
        #expect(CIDR(host: try ip("192.0.2.1")).prefixLength == 32)
        #expect(CIDR(host: try ip("::ffff:192.0.2.1")) == CIDR(host: try ip("192.0.2.1")))
        #expect(CIDR(host: try ip("2001:db8::1")).prefixLength == 128)
    }
}

@Suite struct InterfaceNameTests {
    @Test(arguments: ["eth0", "veth-a.10", "wlp3s0", "abcdefghijklmno"])
    func linuxNamesAreValid(_ name: String) { #expect(InterfaceName.isValid(name)) }

    @Test(arguments: ["", "abcdefghijklmnop", "eth0:1", "a/b", "eth 0", "tab\t"])
    func otherNamesAreNot(_ name: String) { #expect(!InterfaceName.isValid(name)) }
}
