import PortsentryCore
import Testing
@testable import Firewall

/// The steps each backend takes for a decision, in portsentry 2.x's order, without running them.
@Suite struct BackendStepsTests {
    let event = ProbeEvent(source: IPAddress("2001:db8::9")!, destination: IPAddress("2001:db8::1")!, proto: .udp, port: 161,
                           type: .udp, ipOptions: .unknown, mode: .stealth)

    func legacyConfig() -> Config {
        var c = Config()
        c.tcpPorts = .empty
        c.killHostsDeny = "ALL: [$TARGET$] : DENY"
        c.killRoute = "/sbin/ip6tables -I INPUT -s $TARGET$ -j DROP"
        c.killRunCmd = "/usr/local/bin/alert $TARGET$ $PORT$ $MODE$"
        return c
    }

    var decision: BanDecision { try! BanPolicy(banSeconds: 3600, ignoreList: .empty).decide(probe: event).get() }

    @Test func commandsRunHostsDenyThenRoute() {
        #expect(CommandBackend(config: legacyConfig()).enforcements(for: decision) == [
            .wrappers(line: "ALL: [2001:db8::9] : DENY"),
            .route(command: "/sbin/ip6tables -I INPUT -s 2001:db8::9 -j DROP"),
        ])
    }

    @Test func dryRunOfNftablesOnALegacyConfigKeepsTheHostsDenyStep() throws {
        var c = legacyConfig()
        c.blockBackend = .nftables
        let dry = try DryRunBackend(simulating: BackendRule(c), c)
        let result = dry.apply([decision])[0]
        #expect(result.steps == [
            EnforcementStep(.wrappers(line: "ALL: [2001:db8::9] : DENY"), .simulated),
            EnforcementStep(.nftables(table: "portsentry", set: "banned_v6"), .simulated),
        ])
        #expect(result.status == .dryRun && !result.succeeded)
    }

    @Test func dryRunOfALegacyConfigSimulatesItsCommands() throws {
        let c = legacyConfig()
        let steps = try DryRunBackend(simulating: BackendRule(c), c).apply([decision])[0].steps
        #expect(steps.map(\.enforcement.method) == ["wrappers", "route"])
        #expect(steps.allSatisfy { $0.outcome == .simulated })
    }

    @Test func aFailingRouteCommandIsAFailedStep() {
        let backend = CommandBackend(hostsDeny: nil, route: "exit 3 # $TARGET$")
        let result = backend.apply([decision])[0]
        #expect(result.status == .failed("exit status 3"))
        #expect(!result.succeeded)
    }
}
