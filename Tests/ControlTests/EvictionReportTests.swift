import Testing
@testable import Control

/// The warning about connections closed to make room: the first at once, then a count once a minute.
@Suite struct EvictionReportTests {
    @Test func firstEvictionIsReportedThenOncePerMinuteWithTheCount() {
        var report = EvictionReport()
        let second: UInt64 = 1_000_000_000
        #expect(report.record(at: 100 * second) == 1)
        #expect(report.record(at: 101 * second) == nil)
        #expect(report.record(at: 159 * second) == nil)
        #expect(report.record(at: 160 * second) == 3)
        #expect(report.record(at: 161 * second) == nil)
        #expect(report.record(at: 300 * second) == 2)
    }
}
