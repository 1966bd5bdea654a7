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
        let text = layout.addElements([(ip("10.0.0.1"), 1500), (ip("FD00:0:0::1"), nil), (ip("10.0.0.2"), 0)])
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
        #expect(LogLine.blockedViaNftables(ip("10.1.2.3"), table: "portsentry", set: "banned_v4", duration: BanDuration(seconds: 90))
            == "attackalert: Host 10.1.2.3 has been blocked via nftables set inet portsentry banned_v4 for 1m30s")
        #expect(LogLine.blockedViaNftables(ip("::1"), table: "p", set: "banned_v6", duration: BanDuration(seconds: 0))
            == "attackalert: Host ::1 has been blocked via nftables set inet p banned_v6 for ever")
    }
}
