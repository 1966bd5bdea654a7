import Testing
@testable import Control

@Test func controlModuleLoads() {}
