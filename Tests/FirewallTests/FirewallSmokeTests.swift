import Testing
@testable import Firewall

@Test func firewallModuleLoads() {}
