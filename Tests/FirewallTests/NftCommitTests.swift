import Foundation
import Logging
import PortsentryCore
import Synchronization
import Testing
@testable import Firewall

/// A kernel that records every libnftables buffer and fails the ones the test says.
final class ScriptedKernel: NftKernel, Sendable {
    private struct State {
        var scripts: [String] = []
        var chainPresent = true
        var failure: @Sendable (String) -> NftError? = { _ in nil }
    }
    private let state = Mutex(State())

    var scripts: [String] { state.withLock { $0.scripts } }
    func fail(when rule: @escaping @Sendable (String) -> NftError?) { state.withLock { $0.failure = rule } }
    func setChainPresent(_ present: Bool) { state.withLock { $0.chainPresent = present } }

    func run(_ commands: String) throws(NftError) -> String {
        let failure = state.withLock { s -> NftError? in
            s.scripts.append(commands)
            return s.failure(commands)
        }
        if let failure { throw failure }
        return ""
    }

    func list(_ command: String) throws(NftError) -> NftListing {
        try! JSONDecoder().decode(NftListing.self, from: Data(#"{"nftables": []}"#.utf8))   // empty sets
    }
    func chainExists(table: String, chain: String) -> Bool { state.withLock { $0.chainPresent } }
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

    func backend(setSize: Int = 100) throws -> NftablesBackend {
        let kernel = self.kernel
        let clock: @Sendable () -> Int64 = { [now] in now.ms }
        return try NftablesBackend(layout: NftLayout(table: "t", hook: .prerouting, setSize: setSize), defaultSeconds: 600,
                                   stateFile: nil, logger: Logger(label: "test"), kernel: { kernel }, clock: clock)
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
        kernel.setChainPresent(false)
        let restored = TestClock()   // 0 until the restore ran
        kernel.fail { [restored] script in
            if script.hasPrefix("add table inet t") { restored.advance(1); return nil }
            return restored.ms > 0 ? nil : .commandFailed("Error: No such file or directory")
        }
        #expect(try await b.ban(IPAddress("10.0.0.2")!) == .banned(b.bans()[1]))
        #expect(b.metrics().restores == 1)
        let restore = try #require(commits.first { $0.hasPrefix("add table inet t") })
        #expect(restore.contains("10.0.0.1 timeout"))   // the live ban came back with its time left
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
}
