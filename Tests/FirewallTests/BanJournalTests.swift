import Foundation
import PortsentryCore
import Synchronization
import Testing
import TestSupport
@testable import Firewall

/// The state file's journal: bans and lifts replay in order over the state file, a torn line
/// is skipped, a checkpoint's segments go once the snapshot is written — and a ban committed
/// just before a crash comes back after the kernel lost its sets, with no state write between.
@Suite struct BanJournalTests {
    func ban(_ a: String, expires: Int64? = 9_999_999_999_999) -> Ban {
        Ban(address: ip(a), expiresAt: expires, origin: .manual(reason: "r"), since: 1, offence: 2, seconds: 60)
    }

    @Test func replaysBansAndLiftsInOrderOverTheStateFile() throws {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let state = dir + "/bans.state"
        let journal = BanJournal(statePath: state, report: { Issue.record("\($0)") })
        _ = journal.checkpoint()
        journal.banned([ban("10.0.0.1"), ban("10.0.0.2")])
        journal.lifted([CIDR(host: ip("10.0.0.1"))])
        let next = journal.checkpoint()
        journal.banned([ban("10.0.0.3")])
        journal.close()
        // A crash tore the last line in half.
        let last = journal.path(next)
        try (String(contentsOfFile: last, encoding: .utf8) + "+\t10.0.0.4\t99").write(toFile: last, atomically: false, encoding: .utf8)
        let (replayed, skipped) = BanJournal.replay([ban("10.0.0.9")], statePath: state)
        let bans = Dictionary(uniqueKeysWithValues: replayed.map { ($0.target, $0) })
        #expect(Set(bans.keys.map(\.network)) == [ip("10.0.0.2"), ip("10.0.0.3"), ip("10.0.0.9")])
        #expect(bans[CIDR(host: ip("10.0.0.2"))] == ban("10.0.0.2"))
        #expect(skipped == 1)
        journal.discard(before: next)
        #expect(BanJournal.segments(of: state) == [next])
    }

    @Test func afterACleanStopTheStateFilesBansComeBackAsTheyAreAndARepeatedTargetOnce() throws {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let state = dir + "/bans.state"
        let journal = BanJournal(statePath: state, report: { Issue.record("\($0)") })
        _ = journal.checkpoint()   // a segment with its version line only
        journal.close()
        let saved = [ban("10.0.0.2"), ban("10.0.0.1")]
        #expect(BanJournal.replay(saved, statePath: state).bans == saved)
        let later = ban("10.0.0.2", expires: 5)
        let replayed = BanJournal.replay(saved + [later], statePath: state).bans
        #expect(replayed.count == 2 && replayed.contains(later) && !replayed.contains(saved[0]))
    }

    @Test func aBanCommittedJustBeforeACrashSurvivesTheLossOfTheKernelSets() async throws {
        try await withNamespace { ns in
            let dir = makeTempDir()
            defer { removeTree(dir) }
            let state = dir + "/bans.state"
            let crashed = try makeBanner(ns, stateFile: state)
            try await crashed.start()
            _ = try await crashed.ban(ip("10.0.0.7"), seconds: 600, origin: .manual(reason: "crash test"))
            // No maintenance runs: the state file (not even written: a start-up with nothing to change
            // leaves it) never saw the ban; only the journal has it, synced within 50 ms.
            #expect(!((try? String(contentsOfFile: state, encoding: .utf8)) ?? "").contains("10.0.0.7"))
            #expect(eventually(within: 2) {
                BanJournal.segments(of: state).contains { n in
                    (try? String(contentsOfFile: "\(state).journal.\(n)", encoding: .utf8).contains("10.0.0.7")) ?? false
                }
            })
            try ns.nft("flush", "ruleset")   // the reboot: the kernel's sets are gone
            let restarted = try makeBanner(ns, stateFile: state)
            try await restarted.start()
            #expect(restarted.isBanned(ip("10.0.0.7")))
            let left = try #require(try ns.elements(restarted.layout, .inet)["10.0.0.7"] ?? nil)
            #expect(left > 590_000 && left <= 600_000)
            #expect(restarted.bans().first?.origin == .manual(reason: "crash test"))
            await restarted.shutdown()
            #expect(BanJournal.segments(of: state).count == 1)   // the shutdown's snapshot covered the rest
            await crashed.shutdown()
        }
    }

    @Test func aRepeatedTargetIsFoundInEveryFamilyAndLength() {
        let hosts = (0..<5000).map { Ban(address: .v4(UInt32($0 * 7919)), expiresAt: nil) }
        #expect(!BanJournal.repeatsTarget(hosts))
        #expect(BanJournal.repeatsTarget(hosts + [Ban(address: .v4(4999 * 7919), expiresAt: 1)]))
        let others = [Ban(address: ip("fd00::1"), expiresAt: nil), Ban(target: CIDR(address: ip("10.1.0.0"), prefixLength: 16), expiresAt: nil)]
        #expect(!BanJournal.repeatsTarget(hosts + others))
        #expect(BanJournal.repeatsTarget(others + hosts + [others[1]]))
        #expect(BanJournal.repeatsTarget(others + [Ban(address: ip("fd00::1"), expiresAt: 3)]))
    }

    @Test func anAppendWithNoSegmentToWriteIsNotAWriteThatWorked() throws {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        try "".write(toFile: dir + "/file", atomically: false, encoding: .utf8)
        let reports = Mutex<[WriteHealth.Report]>([])
        // Under a regular file: every segment's opening fails (ENOTDIR), as on a read-only directory.
        let journal = BanJournal(statePath: dir + "/file/bans.state", report: { r in reports.withLock { $0.append(r) } })
        defer { journal.close() }
        _ = journal.checkpoint()
        journal.banned([Ban(address: ip("10.0.0.1"), expiresAt: nil)])
        _ = journal.checkpoint()
        let lines = reports.withLock { $0 }
        #expect(lines.map(\.isFailure) == [true], "\(lines)")
    }
}
