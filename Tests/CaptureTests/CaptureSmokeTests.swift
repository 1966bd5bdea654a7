import Testing
@testable import Capture

@Test func captureModuleLoads() {}
