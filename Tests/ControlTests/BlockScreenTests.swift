import PortsentryCore
import Testing
@testable import Control

@Suite struct BlockScreenTests {
    let screen = BlockScreen(ignore: IgnoreList([try! CIDR(target: "192.0.2.0/28")]),
                             localAddresses: [IPAddress("198.51.100.1")!, IPAddress("::1")!])

    @Test func hostIsBanned() throws {
        #expect(screen.verdict(for: try CIDR(target: "203.0.113.9"), force: false) == .ban([IPAddress("203.0.113.9")!]))
    }

    @Test func smallNetworksExpandIntoHosts() throws {
        #expect(screen.verdict(for: try CIDR(target: "203.0.113.4/30"), force: false)
            == .ban(["203.0.113.4", "203.0.113.5", "203.0.113.6", "203.0.113.7"].map { IPAddress($0)! }))
        #expect(screen.verdict(for: try CIDR(target: "2001:db8::/126"), force: false).hosts.count == 4)
        #expect(screen.verdict(for: try CIDR(target: "203.0.113.0/24"), force: false).hosts.count == 256)
    }

    @Test(arguments: ["203.0.112.0/23", "10.0.0.0/8", "2001:db8::/64", "0.0.0.0/0"])
    func largeNetworksAreRefusedEvenWithForce(_ text: String) throws {
        guard case .refuse(let result) = screen.verdict(for: try CIDR(target: text), force: true) else {
            Issue.record("\(text) was not refused"); return
        }
        #expect(result.outcome == .refused)
        #expect(result.detail?.contains("network too large") == true)
    }

    @Test(arguments: [("192.0.2.3", "is in the ignore file"), ("192.0.2.0/30", "is in the ignore file"),
                      ("198.51.100.1", "is an address of this host"), ("::1", "is an address of this host"),
                      ("::ffff:198.51.100.1", "is an address of this host")])
    func protectedAddressesNeedForce(_ text: String, _ why: String) throws {
        let target = try CIDR(target: text)
        guard case .refuse(let result) = screen.verdict(for: target, force: false) else {
            Issue.record("\(text) was not refused"); return
        }
        #expect(result.detail?.contains(why) == true)
        #expect(result.detail?.contains("--force") == true)
        #expect(!screen.verdict(for: target, force: true).hosts.isEmpty)
    }

    @Test func localAddressesIncludeLoopback() {
        #expect(LocalAddresses.current().contains(IPAddress("127.0.0.1")!))
    }
}
