import PortsentryCore
import Testing
@testable import Control

@Suite struct BanTargetTests {
    @Test(arguments: [
        ("192.0.2.7", "192.0.2.7", true),
        ("192.0.2.7/32", "192.0.2.7", true),
        ("10.0.0.0/8", "10.0.0.0/8", false),
        ("0.0.0.0/0", "0.0.0.0/0", false),
        ("2001:DB8::1", "2001:db8::1", true),
        ("2001:db8::/64", "2001:db8::/64", false),
        ("::ffff:192.0.2.9", "192.0.2.9", true),
    ])
    func parses(_ text: String, _ canonical: String, _ isHost: Bool) throws {
        let target = try BanTarget(parsing: text)
        #expect(target.description == canonical)
        #expect(target.isHost == isHost)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4/", "1.2.3.4/33", "::/129", "1.2.3.4/-1", "1.2.3.4/+8",
                      "example.com", "1.2.3.4 ", "1.2.3.4/8/8", "fe80::1%eth0", "1.2.3.4;reboot"])
    func rejects(_ text: String) {
        #expect(throws: ControlError.badAddress(text)) { try BanTarget(parsing: text) }
    }

    @Test func namesTheNetworkWhenHostBitsAreSet() {
        #expect(throws: ControlError.hostBitsSet("10.1.2.3/8", network: "10.0.0.0/8")) {
            try BanTarget(parsing: "10.1.2.3/8")
        }
    }

    @Test func containment() throws {
        let v4 = try BanTarget(parsing: "10.0.0.0/8")
        #expect(v4.contains(IPAddress("10.200.1.1")!))
        #expect(!v4.contains(IPAddress("11.0.0.1")!))
        #expect(v4.contains(IPAddress("::ffff:10.0.0.1")!))
        let v6 = try BanTarget(parsing: "2001:db8:0:1::/64")
        #expect(v6.contains(IPAddress("2001:db8:0:1:ffff::1")!))
        #expect(!v6.contains(IPAddress("2001:db8:0:2::1")!))
        #expect(try BanTarget(parsing: "0.0.0.0/0").contains(IPAddress("255.255.255.255")!))
    }
}
