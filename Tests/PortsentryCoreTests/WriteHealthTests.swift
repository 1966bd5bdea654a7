import Glibc
import Testing
import TestSupport
@testable import PortsentryCore

/// A failing output file is reported once, and once more when writing works again.
@Suite struct WriteHealthTests {
    @Test func firstFailureAndRecoveryAreReportedNothingInBetween() throws {
        var health = WriteHealth()
        var report = health.record("history file /x", errno: nil)
        #expect(report == nil)
        let recorded = health.record("history file /x", errno: ENOSPC)
        let first = try #require(recorded)
        #expect(first.isFailure)
        #expect(first.line.hasPrefix("Unable to write history file /x: No space left on device;"))
        report = health.record("history file /x", errno: ENOSPC)
        #expect(report == nil)
        report = health.record("history file /x", errno: EROFS)
        #expect(report == nil)
        #expect(health.isFailing)
        let recovered = health.record("history file /x", errno: nil)
        #expect(recovered == .init(line: "history file /x is written again (3 writes had failed)", isFailure: false))
        #expect(!health.isFailing)
        report = health.record("history file /x", errno: nil)
        #expect(report == nil)
        let again = health.record("history file /x", errno: EROFS)
        #expect(again?.isFailure == true, "a new outage is reported again")
    }

    @Test func blockedFileRewriteKeepsItsOrderAndAddsTheMissingHosts() throws {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let file = BlockedFile(path: "\(dir)/blocked")
        let a = try #require(IPAddress("192.0.2.9")), b = try #require(IPAddress("2001:db8::1"))
        let c = try #require(IPAddress("192.0.2.1")), d = try #require(IPAddress("198.51.100.7"))
        #expect(file.append(a) == nil && file.append(b) == nil && file.append(c) == nil)
        // b left meanwhile; d's record was lost to a full disk.
        #expect(file.rewrite(listing: [a, c, d]) == nil)
        #expect(file.load() == [a, c, d])
    }
}
