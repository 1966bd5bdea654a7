import PortsentryCore
import Testing
@testable import Control

@Suite struct TargetParsingTests {
    @Test(arguments: [
        ("192.0.2.7", "192.0.2.7"),
        ("192.0.2.7/32", "192.0.2.7"),
        ("10.0.0.0/8", "10.0.0.0/8"),
        ("0.0.0.0/0", "0.0.0.0/0"),
        ("2001:DB8::1", "2001:db8::1"),
        ("2001:db8::/64", "2001:db8::/64"),
        ("::ffff:192.0.2.9", "192.0.2.9"),
    ])
    func parses(_ text: String, _ canonical: String) throws {
        #expect(try CIDR(target: text).description == canonical)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4/", "1.2.3.4/33", "::/129", "1.2.3.4/-1", "1.2.3.4/+8",
                      "example.com", "1.2.3.4 ", "1.2.3.4/8/8", "fe80::1%eth0", "1.2.3.4;reboot"])
    func rejects(_ text: String) {
        #expect(throws: ControlError.badAddress(text)) { try CIDR(target: text) }
    }

    @Test func namesTheNetworkWhenHostBitsAreSet() {
        #expect(throws: ControlError.hostBitsSet("10.1.2.3/8", network: "10.0.0.0/8")) {
            try CIDR(target: "10.1.2.3/8")
        }
    }
}
