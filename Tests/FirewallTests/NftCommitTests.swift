import Foundation
import Logging
import PortsentryCore
import Synchronization
import Testing
import TestSupport
@testable import Firewall

/// A kernel that records every libnftables buffer and fails the ones the test says.
final class ScriptedKernel: NftKernel, Sendable {
    private struct State {
        var scripts: [String] = []
        var failure: @Sendable (String) -> NftError? = { _ in nil }
        var generation: UInt32 = 1
        var table: NftTableShape? = ScriptedKernel.installed
        /// Elements per set name.
        var sets: [String: Set<IPAddress>] = [:]
        var countsKnown = true
        var counters: [String: DropCount] = [:]
    }
    private let state = Mutex(State())
    /// The shape every install leaves.
    static let installed = NftTableShape(chains: ["prerouting": .init(hook: [1], rules: [[1], [2]])],
                                         sets: ["banned_v4": .init(flags: 0x30, keyLength: 4)])

    var scripts: [String] { state.withLock { $0.scripts } }
    /// The elements of the ban sets (the trap sets left out).
    var elements: Set<IPAddress> { state.withLock { $0.sets.filter { !$0.key.hasPrefix("trapped") }.values.reduce([], { $0.union($1) }) } }
    /// The elements of the trap sets.
    var trapped: Set<IPAddress> { state.withLock { $0.sets.filter { $0.key.hasPrefix("trapped") }.values.reduce([], { $0.union($1) }) } }
    /// The kernel trap's add from the packet path: no script, no generation change.
    func trap(_ address: IPAddress) { state.withLock { $0.sets[address.family == .inet ? "trapped_v4" : "trapped_v6", default: []].insert(address) } }
    func fail(when rule: @escaping @Sendable (String) -> NftError?) { state.withLock { $0.failure = rule } }
    /// Someone else's transaction: `nft flush ruleset`, a deleted element, an edited rule.
    func changeBehindBack(dropTable: Bool = false, removing: [String] = [], editRule: Bool = false) {
        state.withLock { s in
            s.generation += 1
            if dropTable { s.table = nil; s.sets = [:] }
            for a in removing { for name in s.sets.keys { s.sets[name]?.remove(IPAddress(a)!) } }
            if editRule { s.table?.chains["prerouting"]?.rules[0] = [9] }
        }
    }

    /// Applies what the fake understands of a script: an install, element adds and deletes, set
    /// flushes. A committed script moves the generation.
    func run(_ commands: String) throws(NftError) -> String {
        let rule = state.withLock { s in
            s.scripts.append(commands)
            return s.failure
        }
        if let failure = rule(commands) { throw failure }
        state.withLock { s in
            for line in commands.split(separator: "\n") {
                let words = line.split(separator: " ")
                if line.hasPrefix("add table") { s.table = ScriptedKernel.installed }
                if line.hasPrefix("flush set"), words.count > 4 { s.sets[String(words[4])] = [] }
                let add = line.hasPrefix("add element"), delete = line.hasPrefix("delete element")
                guard add || delete, words.count > 4, let open = line.firstIndex(of: "{") else { continue }
                let name = String(words[4])
                for item in line[line.index(after: open)...].dropLast(2).split(separator: ",") {
                    let address = IPAddress(item.split(separator: " ")[0])!
                    if add { s.sets[name, default: []].insert(address) } else { s.sets[name]?.remove(address) }
                }
            }
            s.generation += 1
        }
        return ""
    }

    /// Netlink adds are recorded as `netlink add <set> { a timeout Nms, b }`.
    func addElements(table: String, set: String, _ items: [(address: IPAddress, timeoutMs: UInt64?)]) throws(NftError) -> Int {
        let text = items.map { item in item.timeoutMs.map { "\(item.address) timeout \($0)ms" } ?? "\(item.address)" }
        state.withLock { s in
            s.scripts.append("netlink add \(set) { \(text.joined(separator: ", ")) }")
            s.sets[set, default: []].formUnion(items.map(\.address))
            s.generation += 1
        }
        return 1
    }

    /// The kernel tells the count (a newer kernel than 6.1) unless a test says otherwise.
    func elementCount(table: String, set: String) -> Int? {
        state.withLock { s in s.countsKnown && s.table != nil ? s.sets[set, default: []].count : nil }
    }
    func setCountsKnown(_ known: Bool) { state.withLock { $0.countsKnown = known } }
    func setCounters(_ counters: [String: DropCount]) { state.withLock { $0.counters = counters } }
    func counters(table: String) throws(NftError) -> [String: DropCount]? { state.withLock { $0.table == nil ? nil : $0.counters } }

    func generation() -> UInt32? { state.withLock { $0.generation } }
    func shape(of table: String) throws(NftError) -> NftTableShape? { state.withLock { $0.table } }
    func elements(table: String, set: String) throws(NftError) -> [NftElement]? {
        state.withLock { s in
            // A trap set's elements are 10 s old, out of the trap's 10 minutes.
            s.table == nil ? nil : s.sets[set, default: []].map {
                set.hasPrefix("trapped") ? NftElement(address: $0, timeLeftMs: 590_000, timeoutMs: 600_000) : NftElement(address: $0, timeLeftMs: 1)
            }
        }
    }
}

/// A wall clock the test moves by hand (milliseconds).
final class TestClock: Sendable {
    private let value = Mutex<Int64>(0)
    init(_ start: Int64 = 0) { value.withLock { $0 = start } }
    var ms: Int64 { value.withLock { $0 } }
    func advance(_ delta: Int64) { value.withLock { $0 += delta } }
}

/// The nftables backend's commit, retry, restore, set-full and expiry logic against a scripted
/// kernel and a hand-moved clock: no root, no netlink.
@Suite struct NftCommitTests {
    let kernel = ScriptedKernel()
    let now = TestClock(1_800_000_000_000)

    func backend(setSize: Int = 100, logger: Logger = Logger(label: "test")) throws -> NftablesBackend {
        let kernel = self.kernel
        let clock: @Sendable () -> Int64 = { [now] in now.ms }
        return try NftablesBackend(layout: NftLayout(table: "t", hook: .prerouting, setSize: setSize), defaultSeconds: 600,
                                   stateFile: nil, logger: logger, kernel: { kernel }, clock: clock)
    }

    /// Bans each (address, seconds) in a transaction of its own, in order.
    func fill(_ b: NftablesBackend, _ bans: [(String, UInt64)]) async throws {
        for (address, seconds) in bans { _ = try await b.ban(IPAddress(address)!, seconds: seconds) }
    }

    func evicted(_ address: String, _ reason: BanRelease.Reason = .evicted) -> BanRelease {
        BanRelease(address: IPAddress(address)!, reason: reason)
    }

    /// The buffers run after start-up (the install script).
    var commits: [String] { Array(kernel.scripts.dropFirst()) }

    @Test func aBatchIsOneTransaction() async throws {
        let b = try backend()
        try await b.start()
        let results = await b.ban(["10.0.0.1", "10.0.0.2", "fd00::1"].map { BanRequest(IPAddress($0)!) })
        #expect(results.allSatisfy { if case .success(.banned) = $0 { true } else { false } })
        #expect(commits == ["add element inet t banned_v4 { 10.0.0.1 timeout 600000ms, 10.0.0.2 timeout 600000ms }\nadd element inet t banned_v6 { fd00::1 timeout 600000ms }\n"])
        await b.shutdown()
    }

    @Test func aBatchBeyondTheTransactionLimitIsSplit() async throws {
        let b = try backend(setSize: 20_000)
        try await b.start()
        let n = NftablesBackend.transactionLimit + 1
        let results = await b.ban((0..<n).map { BanRequest(.v4(0x0a00_0000 + UInt32($0))) })
        #expect(results.allSatisfy { if case .success(.banned) = $0 { true } else { false } })
        #expect(commits.count == 2 && commits[1] == "add element inet t banned_v4 { 10.0.32.0 timeout 600000ms }\n")
        await b.shutdown()
    }

    @Test func aRebanRefreshesWithAddDeleteAdd() async throws {
        let b = try backend()
        try await b.start()
        _ = try await b.ban(IPAddress("10.0.0.1")!, seconds: 60)
        #expect(try await b.ban(IPAddress("10.0.0.1")!, seconds: 120) == .refreshed(b.bans()[0]))
        #expect(commits.last == "add element inet t banned_v4 { 10.0.0.1 timeout 120000ms }\ndelete element inet t banned_v4 { 10.0.0.1 }\nadd element inet t banned_v4 { 10.0.0.1 timeout 120000ms }\n")
        await b.shutdown()
    }

    @Test func aFailedBatchIsRetriedOneByOneAndOnlyTheBadItemFails() async throws {
        let b = try backend()
        try await b.start()
        kernel.fail { $0.contains("10.0.0.2") ? .commandFailed("Error: Could not process rule: Invalid argument") : nil }
        let results = await b.ban(["10.0.0.1", "10.0.0.2", "10.0.0.3"].map { BanRequest(IPAddress($0)!) })
        #expect(results[0] == .success(.banned(b.bans()[0])))
        #expect(results[1] == .failure(.commandFailed("Error: Could not process rule: Invalid argument")))
        #expect(b.bans().map(\.address) == [IPAddress("10.0.0.1")!, IPAddress("10.0.0.3")!])
        #expect(commits.count == 4)   // the batch, then one per request
    }

    @Test func aSetTheKernelSaysIsFullIsReportedAsFull() async throws {
        let b = try backend()
        try await b.start()
        kernel.fail { $0.contains("10.0.0.2") ? .commandFailed("Error: Could not process rule: Too many open files in system") : nil }
        let results = await b.ban(["10.0.0.1", "10.0.0.2"].map { BanRequest(IPAddress($0)!) })
        #expect(results[1] == .success(.setFull(.inet)))
        #expect(b.metrics().setFullEvents == 1)
        await b.shutdown()
    }

    @Test func bansBeyondTheSetSizeAreRefusedWithoutAskingTheKernel() async throws {
        let b = try backend(setSize: 2)
        try await b.start()
        let results = await b.ban(["10.0.0.1", "10.0.0.2", "10.0.0.3"].map { BanRequest(IPAddress($0)!) })
        #expect(results[2] == .success(.setFull(.inet)))
        #expect(!commits[0].contains("10.0.0.3"))
        await b.shutdown()
    }

    @Test func aMissingTableIsRestoredAndTheBatchRetried() async throws {
        let b = try backend()
        try await b.start()
        _ = try await b.ban(IPAddress("10.0.0.1")!)
        // Someone ran `nft flush ruleset`: adds fail until the table is back.
        kernel.changeBehindBack(dropTable: true)
        // Weakly: the kernel keeps the rule (a strong capture leaked both, LeakSanitizer saw it).
        kernel.fail { [weak kernel] script in
            guard let kernel, script.hasPrefix("add element"), (try? kernel.shape(of: "t")) == nil else { return nil }
            return .commandFailed("Error: No such file or directory")
        }
        #expect(try await b.ban(IPAddress("10.0.0.2")!) == .banned(b.bans()[1]))
        #expect(b.metrics().restores == 1)
        #expect(kernel.elements == [IPAddress("10.0.0.1")!, IPAddress("10.0.0.2")!])   // the live ban came back
        #expect(commits.contains { $0.hasPrefix("netlink add banned_v4 { 10.0.0.1 timeout") })   // with its time left
        await b.shutdown()
    }

    @Test func expiryFollowsTheClock() async throws {
        let b = try backend()
        try await b.start()
        _ = try await b.ban(IPAddress("10.0.0.1")!, seconds: 10)
        #expect(b.isBanned(IPAddress("10.0.0.1")!))
        now.advance(10_001)
        #expect(!b.isBanned(IPAddress("10.0.0.1")!))
        await b.reapExpired()   // still within the grace second: kept for a refresh
        #expect(b.metrics().live[.inet] == 1)
        now.advance(1_000)
        await b.reapExpired()
        var expiries = b.expiries.makeAsyncIterator()
        #expect(await expiries.next() == BanRelease(address: IPAddress("10.0.0.1")!, reason: .expired))
        #expect(b.metrics().live[.inet] == 0)
        await b.shutdown()
    }

    // MARK: Full sets: eviction

    @Test func aFullSetEvictsTheBanClosestToExpiryInTheSameTransaction() async throws {
        let b = try backend(setSize: 3)
        try await b.start()
        try await fill(b, [("10.0.0.1", 60), ("10.0.0.2", 30), ("10.0.0.3", 90)])
        let outcome = try await b.ban(IPAddress("10.0.0.4")!, seconds: 600)
        #expect(outcome == .banned(b.bans()[2], displacing: evicted("10.0.0.2")))
        // Delete before add, in one buffer: the add gets the room the delete frees.
        #expect(commits.last == "add element inet t banned_v4 { 10.0.0.2 }\ndelete element inet t banned_v4 { 10.0.0.2 }\nadd element inet t banned_v4 { 10.0.0.4 timeout 600000ms }\n")
        #expect(b.bans().map(\.address.description) == ["10.0.0.1", "10.0.0.3", "10.0.0.4"])
        #expect(b.metrics().evictions == 1 && b.metrics().setFullEvents == 0)
        await b.shutdown()
    }

    @Test func aBatchBeyondTheFreeRoomEvictsOneBanPerNewSource() async throws {
        let b = try backend(setSize: 3)
        try await b.start()
        try await fill(b, [("10.0.0.1", 60), ("10.0.0.2", 30), ("fd00::1", 10)])
        let results = await b.ban(["10.0.0.5", "10.0.0.6", "10.0.0.7"].map { BanRequest(IPAddress($0)!) })
        // One free slot, then the two IPv4 bans closest to expiry (the IPv6 one is in another set).
        #expect(results.map { try? $0.get() } == [.banned(b.bans()[0]),
                                                   .banned(b.bans()[1], displacing: evicted("10.0.0.2")),
                                                   .banned(b.bans()[2], displacing: evicted("10.0.0.1"))])
        #expect(b.metrics().live == [.inet: 3, .inet6: 1])
        await b.shutdown()
    }

    @Test func neverExpiringBansGoLastAndTheOldestFirst() async throws {
        let b = try backend(setSize: 3)
        try await b.start()
        try await fill(b, [("10.0.0.1", 0), ("10.0.0.2", 3600), ("10.0.0.3", 0)])
        #expect(try await b.ban(IPAddress("10.0.0.4")!, seconds: 0) == .banned(b.bans()[2], displacing: evicted("10.0.0.2")))
        // Only permanent bans left: the one banned longest ago goes, and a refresh keeps its place.
        #expect(try await b.ban(IPAddress("10.0.0.1")!, seconds: 0) == .refreshed(b.bans()[0]))
        #expect(try await b.ban(IPAddress("10.0.0.5")!, seconds: 0) == .banned(b.bans()[2], displacing: evicted("10.0.0.1")))
        #expect(try await b.ban(IPAddress("10.0.0.6")!, seconds: 0) == .banned(b.bans()[2], displacing: evicted("10.0.0.3")))
        await b.shutdown()
    }

    @Test func aRefreshMovesABanBackInTheOrder() async throws {
        let b = try backend(setSize: 2)
        try await b.start()
        try await fill(b, [("10.0.0.1", 10), ("10.0.0.2", 50), ("10.0.0.1", 100)])
        #expect(try await b.ban(IPAddress("10.0.0.3")!) == .banned(b.bans()[1], displacing: evicted("10.0.0.2")))
        await b.shutdown()
    }

    @Test func bansRefreshedInTheSameBatchAreNotEvicted() async throws {
        let b = try backend(setSize: 2)
        try await b.start()
        try await fill(b, [("10.0.0.1", 10), ("10.0.0.2", 50)])
        let results = await b.ban([BanRequest(IPAddress("10.0.0.1")!), BanRequest(IPAddress("10.0.0.3")!)])
        #expect(try results[1].get() == .banned(b.bans()[1], displacing: evicted("10.0.0.2")))
        #expect(b.bans().map(\.address.description) == ["10.0.0.1", "10.0.0.3"])
        await b.shutdown()
    }

    @Test func aBanWhoseTimeIsUpIsReportedAsExpiredNotEvicted() async throws {
        let b = try backend(setSize: 1)
        try await b.start()
        try await fill(b, [("10.0.0.1", 10)])
        now.advance(10_500)   // expired, still in the table for the grace second
        #expect(try await b.ban(IPAddress("10.0.0.2")!) == .banned(b.bans()[0], displacing: evicted("10.0.0.1", .expired)))
        #expect(b.metrics().evictions == 0)
        await b.shutdown()
    }

    @Test func aBanEvictedForABanThatFailsComesBack() async throws {
        let b = try backend(setSize: 1)
        try await b.start()
        try await fill(b, [("10.0.0.1", 60)])
        kernel.fail { $0.contains("10.0.0.2") ? .commandFailed("Error: Could not process rule: Invalid argument") : nil }
        await #expect(throws: NftError.commandFailed("Error: Could not process rule: Invalid argument")) {
            try await b.ban(IPAddress("10.0.0.2")!)
        }
        #expect(b.bans().map(\.address.description) == ["10.0.0.1"])
        // It is still first in line.
        kernel.fail { _ in nil }
        #expect(try await b.ban(IPAddress("10.0.0.3")!) == .banned(b.bans()[0], displacing: evicted("10.0.0.1")))
        await b.shutdown()
    }

    @Test func whenTheKernelSaysFullAlthoughTheTableHasRoomOneBanIsEvicted() async throws {
        let b = try backend(setSize: 3)
        try await b.start()
        try await fill(b, [("10.0.0.1", 60), ("10.0.0.2", 30)])
        // Someone added an element behind our back: the kernel refuses any add that does not delete first.
        kernel.fail { script in
            script.contains("10.0.0.3") && !script.contains("delete")
                ? .commandFailed("Error: Could not process rule: Too many open files in system") : nil
        }
        #expect(try await b.ban(IPAddress("10.0.0.3")!) == .banned(b.bans()[1], displacing: evicted("10.0.0.2")))
        await b.shutdown()
    }

    @Test func whenTheSetStaysFullInSpiteOfAnEvictionTheBatchsOtherNewBansAreRefusedAtOnce() async throws {
        let log = LogCapture()
        let b = try backend(logger: log.logger)
        try await b.start()
        try await fill(b, [("10.0.0.1", 60), ("10.0.0.2", 60)])
        // The set holds far more than the ban table knows of: every add fails, eviction or not.
        kernel.fail { $0.contains("add element inet t banned_v4 { 10.1.") ? .commandFailed("Error: Could not process rule: Too many open files in system") : nil }
        let results = await b.ban((1...50).map { BanRequest(IPAddress("10.1.0.\($0)")!) } + [BanRequest(IPAddress("fd00::1")!)])
        #expect(results.dropLast().allSatisfy { $0 == .success(.setFull(.inet)) })
        #expect(results.last.map { if case .success(.banned) = $0 { true } else { false } } == true)
        // The batch, then the first new ban alone and with an eviction, then the IPv6 ban alone.
        #expect(commits.count - 2 == 4)
        #expect(Set(b.bans().map(\.address.description)) == ["10.0.0.1", "10.0.0.2", "fd00::1"])   // the victim came back
        #expect(b.metrics().setFullEvents == 50)
        #expect(log.entries.filter { $0.text.contains("is full (NFT_SET_SIZE=100) and no ban could be evicted") }.count == 1)
        await b.shutdown()
    }

    @Test func theKernelTrapsSetIsNeverAddedToOnlyDeletedFrom() async throws {
        let b = try backend()
        try await b.start()
        kernel.trap(IPAddress("10.0.0.7")!)   // the packet path's add; the daemon has not seen the probe
        kernel.trap(IPAddress("10.0.0.8")!)
        #expect(try await b.unban([CIDR(host: IPAddress("10.0.0.7")!)]).isEmpty)   // no ban the table knew
        #expect(kernel.trapped == [IPAddress("10.0.0.8")!])
        _ = try await b.ban(IPAddress("10.0.0.8")!)
        #expect(try await b.unban([CIDR(address: IPAddress("10.0.0.0")!, prefixLength: 24)]).map(\.network.description) == ["10.0.0.8"])
        #expect(kernel.trapped.isEmpty && kernel.elements.isEmpty)
        kernel.trap(IPAddress("10.0.0.9")!)
        _ = try await b.flushSets()
        #expect(kernel.trapped.isEmpty)
        #expect(!kernel.scripts.contains { $0.contains("add element inet t trapped") })
        await b.shutdown()
    }

    @Test func hostsTheTrapBannedBeforeTheStartAreRecordedForWhatIsLeftOfBanTime() async throws {
        let log = LogCapture()
        kernel.trap(IPAddress("10.0.0.7")!)   // 10 s old (the fake's trap elements), BAN_TIME 600 s
        kernel.trap(IPAddress("fd00::7")!)
        let b = try backend(logger: log.logger)
        try await b.start()
        #expect(Set(b.bans().map(\.address.description)) == ["10.0.0.7", "fd00::7"])
        #expect(b.bans().allSatisfy { $0.expiresAt == now.ms + 590_000 })
        #expect(kernel.elements == [IPAddress("10.0.0.7")!, IPAddress("fd00::7")!])
        #expect(log.entries.contains { $0.text == "nftables: 2 bans found in the kernel without a record in the state file" })
        await b.shutdown()
    }

    @Test func aFullTrapSetIsNoticedLoggedOnceAndItsRoomAgainToo() async throws {
        let log = LogCapture()
        let b = try backend(setSize: 2, logger: log.logger)
        try await b.start()
        try await b.setKernelTrap { NftKernelTrapLayoutTests.example }
        kernel.trap(IPAddress("10.0.0.7")!)
        await b.lookAtTrapSets(kernel)
        #expect(b.kernelTrapFullSince(.inet) == nil)
        kernel.trap(IPAddress("10.0.0.8")!)
        let before = MonotonicClock.now()
        await b.lookAtTrapSets(kernel)
        let since = try #require(b.kernelTrapFullSince(.inet))
        await b.lookAtTrapSets(kernel)
        #expect(since >= before && b.kernelTrapFullSince(.inet) == since && b.kernelTrapFullSince(.inet6) == nil)
        let full = "nftables set inet t trapped_v4 is full (NFT_SET_SIZE=2): the kernel trap bans no new source until its elements expire (10 minutes after their probes); the daemon bans them meanwhile"
        #expect(log.entries.filter { $0.level == .warning }.map(\.text) == [full])
        _ = try await b.unban([CIDR(host: IPAddress("10.0.0.8")!)])
        await b.lookAtTrapSets(kernel)
        #expect(b.kernelTrapFullSince(.inet) == nil)
        #expect(log.entries.last?.text == "nftables set inet t trapped_v4 has room again: the kernel trap bans new sources again")
        await b.shutdown()
    }

    @Test func whatIsLeftOfABan() {
        #expect(NftablesBackend.remainingSeconds(of: 600, after: 10_000) == 590)
        #expect(NftablesBackend.remainingSeconds(of: 600, after: 10_001) == 590)   // rounded up
        #expect(NftablesBackend.remainingSeconds(of: 600, after: 599_500) == nil)   // within the expiry grace
        #expect(NftablesBackend.remainingSeconds(of: 0, after: 10_000) == 0)   // no expiry stays none
        #expect(NftablesBackend.remainingSeconds(of: 60, after: -5) == 60)
    }

    @Test func evictionsAreLoggedAtOnceThenOnceAMinuteWithTheirNumber() async throws {
        let log = LogCapture()
        let b = try backend(setSize: 1, logger: log.logger)
        try await b.start()
        try await fill(b, [("10.0.0.1", 60), ("10.0.0.2", 60), ("10.0.0.3", 60), ("10.0.0.4", 60)])
        let line = "nftables set inet t banned_v4 is full (NFT_SET_SIZE=1): bans evicted to make room for new ones (closest to expiry first):"
        #expect(log.entries.filter { $0.level == .warning }.map(\.text) == ["\(line) 1"])
        now.advance(60_000)
        await b.reportEvictions(.inet)   // what maintenance does every 250 ms
        #expect(log.entries.filter { $0.level == .warning }.map(\.text) == ["\(line) 1", "\(line) 2"])
        await b.reportEvictions(.inet)
        #expect(log.entries.filter { $0.level == .warning }.count == 2)
        await b.shutdown()
    }

    @Test func dropCountersAreTheNamedCountersOfEachFamilyAndNoneWithoutTheTable() async throws {
        let b = try backend()
        try await b.start()
        kernel.setCounters(["dropped_v4": DropCount(packets: 3, bytes: 180), "dropped_v6": DropCount(packets: 1, bytes: 80),
                            "other": DropCount(packets: 9, bytes: 9)])
        let read = { await withCheckedContinuation { c in b.schedule { c.resume(returning: b.dropCounters()) } } }
        #expect(await read() == [.inet: DropCount(packets: 3, bytes: 180), .inet6: DropCount(packets: 1, bytes: 80)])
        kernel.changeBehindBack(dropTable: true)
        #expect(await read() == nil)
        await b.shutdown()
    }
}
