import Foundation
import Logging
import PortsentryCore
import Testing
import TestSupport
@testable import Firewall

/// The backend against real nftables, each test in its own network namespace.
@Suite struct NftBackendTests {
    @Test func referenceFileLoadsTwiceWithOneCopyOfEachRule() async throws {
        try await withNamespace { ns in
            let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("nft/portsentry.nft").path
            try ns.nft("-f", file)
            try ns.nft("add", "element", "inet", "portsentry", "banned_v4", "{ 10.9.9.9 timeout 1h }")
            try ns.nft("-f", file)
            let chain = try ns.nft("list", "chain", "inet", "portsentry", "prerouting")
            #expect(chain.components(separatedBy: "saddr @banned_v").count - 1 == 2)
            #expect(chain.contains("hook prerouting priority raw"))
            #expect(try ns.elements(NftLayout(config: Config()), .inet).keys.contains("10.9.9.9"))
        }
    }

    @Test func dropCountersReadTheNamedCountersTheInstallKeeps() async throws {
        try await withNamespace { ns in
            // A table from before (a restart): the install keeps its counters' values.
            try ns.nft("-f", "-", stdin: "add table inet portsentry\nadd counter inet portsentry dropped_v4 { packets 7 bytes 420 }\n")
            try await withBanner(ns, maintenance: false) { banner in
                let counts = await withCheckedContinuation { c in banner.schedule { c.resume(returning: banner.dropCounters()) } }
                #expect(counts == [.inet: DropCount(packets: 7, bytes: 420), .inet6: DropCount(packets: 0, bytes: 0)])
            }
        }
    }

    @Test func installIsIdempotentAndKeepsBansAndOtherTables() async throws {
        try await withNamespace { ns in
            try ns.nft("add", "table", "ip", "other")
            try ns.nft("add", "chain", "ip", "other", "c")
            try ns.nft("add", "rule", "ip", "other", "c", "counter")
            let first = try makeBanner(ns)
            try await first.start()
            _ = try await first.ban(ip("10.0.0.7"))
            await first.shutdown()
            try await withBanner(ns, maintenance: false) { second in
                let chain = try ns.nft("list", "chain", "inet", "portsentry", "prerouting")
                #expect(chain.components(separatedBy: "saddr @banned_v").count - 1 == 2)
                #expect(try ns.elements(second.layout, .inet).keys.contains("10.0.0.7"))
                #expect(second.isBanned(ip("10.0.0.7")))
                #expect(try ns.nft("list", "chain", "ip", "other", "c").contains("counter"))
            }
        }
    }

    @Test func banAppearsWithTimeoutAndReBanRefreshesIt() async throws {
        try await withNamespace { ns in
            try await withBanner(ns, maintenance: false) { banner in
                let outcome = try await banner.ban(ip("10.0.0.1"), seconds: 10, origin: .manual(reason: nil))
                guard case .banned(let ban, _) = outcome else { Issue.record("not banned: \(outcome)"); return }
                #expect(ban.expiresAt != nil)
                let v6 = try await banner.ban(ip("fd00::1"), seconds: 0)
                guard case .banned = v6 else { Issue.record("not banned: \(v6)"); return }
                #expect(try ns.elements(banner.layout, .inet6) == ["fd00::1": Optional<Int>.none])

                // Let the timeout run down a little, then re-ban with the same length (a plain
                // re-add with the same timeout would not refresh on this kernel).
                var before = 10_000
                #expect(try await eventually {
                    before = try (ns.elements(banner.layout, .inet)["10.0.0.1"] ?? 0) ?? 0
                    return before < 9_600
                })
                let again = try await banner.ban(ip("10.0.0.1"), seconds: 10)
                guard case .refreshed = again else { Issue.record("not refreshed: \(again)"); return }
                let left = try #require(try ns.elements(banner.layout, .inet)["10.0.0.1"] ?? nil)
                #expect(left > before)   // without the refresh it could only have gone down
                #expect(banner.metrics().refreshes == 1 && banner.metrics().totalBans == 2)
            }
        }
    }

    @Test func thousandBansCommitInOneTransaction() async throws {
        try await withNamespace { ns in
            try await withBanner(ns, maintenance: false) { banner in
                let requests = (0..<1000).map { BanRequest(IPAddress.v4(0x0a01_0000 + UInt32($0)), origin: .manual(reason: nil)) }
                let before = banner.metrics().banTransactions
                let results = await banner.ban(requests)
                #expect(results.allSatisfy { if case .success(.banned) = $0 { true } else { false } })
                #expect(banner.metrics().banTransactions == before + 1)
                let inKernel = try ns.elements(banner.layout, .inet)
                #expect(inKernel.count == 1000)
                #expect(banner.metrics().live[.inet] == 1000)
            }
        }
    }

    @Test func concurrentBansShareTransactions() async throws {
        try await withNamespace { ns in
            try await withBanner(ns, maintenance: false) { banner in
                await withTaskGroup(of: Void.self) { group in
                    for i in 0..<200 { group.addTask { _ = try? await banner.ban(.v4(0x0a02_0000 + UInt32(i))) } }
                }
                let inKernel = try ns.elements(banner.layout, .inet)
                #expect(inKernel.count == 200)
                #expect(banner.metrics().banTransactions < 200)
            }
        }
    }

    @Test func unbanOfAnExpiredElementDoesNotFailTheOthers() async throws {
        try await withNamespace { ns in
            try await withBanner(ns, maintenance: false) { banner in
                _ = await banner.ban([BanRequest(ip("10.0.0.1"), seconds: 1), BanRequest(ip("10.0.0.2")), BanRequest(ip("fd00::3"))])
                #expect(try await eventually { try ns.elements(banner.layout, .inet)["10.0.0.1"] == nil })
                let removed = try await banner.unban([ip("10.0.0.1"), ip("10.0.0.2"), ip("fd00::3")].map(CIDR.init(host:)))
                #expect(removed.map(\.network) == [ip("10.0.0.1"), ip("10.0.0.2"), ip("fd00::3")])
                #expect(try ns.elements(banner.layout, .inet).isEmpty)
                #expect(try ns.elements(banner.layout, .inet6).isEmpty)
                #expect(banner.bans().isEmpty)
            }
        }
    }

    @Test func unbanWorksWhenTheKernelSetIsFull() async throws {
        try await withNamespace { ns in
            try await withBanner(ns, setSize: 2, maintenance: false) { banner in
                _ = try await banner.ban(ip("10.0.0.2"))
                try ns.nft("add", "element", "inet", "portsentry", "banned_v4", "{ 10.0.0.3 }")   // kernel full
                // Unbanning needs an add of each element first, which a full set refuses.
                #expect(try await banner.unban([CIDR(host: ip("10.0.0.1")), CIDR(host: ip("10.0.0.2"))]) == [CIDR(host: ip("10.0.0.2"))])
                #expect(Set(try ns.elements(banner.layout, .inet).keys) == ["10.0.0.3"])
            }
        }
    }

    @Test func operationsAfterShutdownFailCleanly() async throws {
        try await withNamespace { ns in
            let banner = try makeBanner(ns)
            try await banner.start()
            let upkeep = Task { await banner.maintain() }
            upkeep.cancel()
            await upkeep.value
            await banner.shutdown()
            await #expect(throws: NftError.closed) { try await banner.ban(ip("10.0.0.1")) }
            await #expect(throws: NftError.closed) { try await banner.flushSets() }
        }
    }

    @Test func unbanByNetworkAndFlush() async throws {
        try await withNamespace { ns in
            try await withBanner(ns, maintenance: false) { banner in
                _ = await banner.ban(["10.1.0.1", "10.1.0.2", "10.2.0.1", "fd00::1"].map { BanRequest(ip($0)) })
                let net = try CIDR.parse("10.1.0.0/16").cidr
                #expect(try await banner.unban([net]).map(\.network) == [ip("10.1.0.1"), ip("10.1.0.2")])
                #expect(Set(try ns.elements(banner.layout, .inet).keys) == ["10.2.0.1"])
                #expect(try await banner.flushSets().map(\.network) == [ip("10.2.0.1"), ip("fd00::1")])
                #expect(try ns.elements(banner.layout, .inet).isEmpty && ns.elements(banner.layout, .inet6).isEmpty)
            }
        }
    }

    @Test func fullSetEvictsTheBanClosestToExpiryAndStaysAtItsSize() async throws {
        try await withNamespace { ns in
            try await withBanner(ns, setSize: 4, maintenance: false) { banner in
                for (i, seconds) in [300, 100, 200, 0].enumerated() { _ = try await banner.ban(.v4(0x0a0b_0001 + UInt32(i)), seconds: UInt64(seconds)) }
                let outcome = try await banner.ban(ip("10.11.0.9"), seconds: 600)
                #expect(outcome == .banned(banner.bans().last!, displacing: BanRelease(address: ip("10.11.0.2"), reason: .evicted)))
                #expect(Set(try ns.elements(banner.layout, .inet).keys) == ["10.11.0.1", "10.11.0.3", "10.11.0.4", "10.11.0.9"])
                // A batch of three: the next two closest to expiry, then the new 600 s ban before the permanent one.
                let results = await banner.ban((10...12).map { BanRequest(.v4(0x0a0b_0000 + UInt32($0)), seconds: 60) })
                let displaced = results.compactMap { if case .success(.banned(_, let d?)) = $0 { d.address.description } else { nil } }
                #expect(displaced == ["10.11.0.3", "10.11.0.1", "10.11.0.9"])
                #expect(Set(try ns.elements(banner.layout, .inet).keys) == ["10.11.0.4", "10.11.0.10", "10.11.0.11", "10.11.0.12"])
                #expect(banner.metrics().live[.inet] == 4 && banner.metrics().evictions == 4)
            }
        }
    }

    @Test func fullSetRefusesNewSourcesAndKeepsWorking() async throws {
        try await withNamespace { ns in
            try await withBanner(ns, setSize: 3, maintenance: false) { banner in
                let results = await banner.ban((1...5).map { BanRequest(.v4(0x0a00_0000 + UInt32($0))) })
                let full = results.filter { if case .success(.setFull(.inet)) = $0 { true } else { false } }
                #expect(full.count == 2)
                let inKernel = try ns.elements(banner.layout, .inet)
                #expect(inKernel.count == 3)
                #expect(banner.metrics().setFullEvents == 2)
                // IPv6 has its own room; refreshes of banned sources still work.
                guard case .banned = try await banner.ban(ip("fd00::9")) else { Issue.record("IPv6 ban refused"); return }
                guard case .refreshed = try await banner.ban(.v4(0x0a00_0001)) else { Issue.record("refresh refused"); return }
                // The kernel's own cap (an element added behind our back) makes a ban evict one of ours.
                _ = try await banner.unban([CIDR(host: .v4(0x0a00_0001))])
                try ns.nft("add", "element", "inet", "portsentry", "banned_v4", "{ 10.0.0.99 }")
                guard case .banned(_, let displaced?) = try await banner.ban(.v4(0x0a00_0064)) else { Issue.record("no eviction at the kernel cap"); return }
                #expect(displaced == BanRelease(address: ip("10.0.0.2"), reason: .evicted))
                #expect(Set(try ns.elements(banner.layout, .inet).keys) == ["10.0.0.3", "10.0.0.99", "10.0.0.100"])
            }
        }
    }

    @Test func startRebuildsTheTableFromTheKernel() async throws {
        try await withNamespace { ns in
            let layout = try NftLayout(config: Config())
            try ns.nft("-f", "-", stdin: layout.installScript)
            let added = WallClock.nowMs()
            try ns.nft("add", "element", "inet", "portsentry", "banned_v4", "{ 10.3.0.1 timeout 1h, 10.3.0.2 }")
            try ns.nft("add", "element", "inet", "portsentry", "banned_v6", "{ fd00::3 timeout 90s }")
            try await withBanner(ns, maintenance: false) { banner in
                let bans = Dictionary(uniqueKeysWithValues: banner.bans().map { ($0.address, $0) })
                #expect(Set(bans.keys) == [ip("10.3.0.1"), ip("10.3.0.2"), ip("fd00::3")])
                let left = try #require(bans[ip("10.3.0.1")]?.timeLeftMs())
                // The kernel lists whole seconds: allow one more than the time that has passed.
                #expect(left > 3_600_000 - (WallClock.nowMs() - added) - 1_000 && left <= 3_600_000)
                #expect(bans[ip("10.3.0.2")]?.expiresAt == nil)
                #expect(banner.isBanned(ip("fd00::3")) && !banner.isBanned(ip("10.3.0.3")))
            }
        }
    }

    @Test func stateFileBringsBansBackAfterTheRulesetIsGone() async throws {
        try await withNamespace { ns in
            let dir = makeTempDir()
            defer { removeTree(dir) }
            let state = dir + "/bans.state"
            let first = try makeBanner(ns, stateFile: state)
            try await first.start()
            let origin = BanOrigin.probe(ProbeEvidence(proto: .udp, port: 161, type: "UDP"))
            let banned = WallClock.nowMs()
            _ = try await first.ban(ip("10.4.0.1"), seconds: 600, origin: origin)
            _ = try await first.ban(ip("fd00::4"), seconds: 0)
            first.recordHit(ip("10.4.0.1"))
            await first.shutdown()
            try ns.nft("flush", "ruleset")   // as after a reboot

            try await withBanner(ns, stateFile: state, maintenance: false) { second in
                let left = try #require(try ns.elements(second.layout, .inet)["10.4.0.1"] ?? nil)
                #expect(left > 600_000 - (WallClock.nowMs() - banned) - 1_000 && left <= 600_000)
                #expect(try ns.elements(second.layout, .inet6) == ["fd00::4": Optional<Int>.none])
                let ban = try #require(second.bans().first { $0.address == ip("10.4.0.1") })
                #expect(ban.origin == origin && ban.hits == 1)
            }
        }
    }

    @Test func stateFileBansBeyondTheSetSizeAreDroppedNotFatal() async throws {
        try await withNamespace { ns in
            let dir = makeTempDir()
            defer { removeTree(dir) }
            let state = dir + "/bans.state"
            let now = WallClock.nowMs()
            try BanStateFile(path: state).write((1...3).map {
                Ban(address: .v4(0x0a08_0000 + UInt32($0)), expiresAt: now + 600_000 + Int64($0) * 1000)
            })
            try await withBanner(ns, setSize: 2, stateFile: state, maintenance: false) { banner in
                // The two longest bans come back; the third is dropped with a warning.
                let inKernel = Set(try ns.elements(banner.layout, .inet).keys)
                #expect(inKernel == ["10.8.0.2", "10.8.0.3"])
                #expect(banner.bans().count == 2)
            }
        }
    }

    @Test func inputHookLayoutReplacesThePreroutingChain() async throws {
        try await withNamespace { ns in
            try await withBanner(ns, maintenance: false) { banner in
                _ = try await banner.ban(ip("10.9.0.1"))
            }
            var logger = Logger(label: "nft-test")
            logger.logLevel = .debug
            let banner = try NftablesBackend(layout: NftLayout(table: "portsentry", hook: .input, setSize: 65_536),
                                            defaultSeconds: 60, stateFile: nil, namespace: ns.path, logger: logger)
            try await banner.start()
            await banner.shutdown()
            let table = try ns.nft("list", "table", "inet", "portsentry")
            #expect(table.contains("type filter hook input priority filter; policy accept;"))
            #expect(!table.contains("chain prerouting"))
            #expect(table.contains("10.9.0.1"))   // bans survive the switch
        }
    }

    @Test func flushedRulesetIsRestoredWhileRunning() async throws {
        try await withNamespace { ns in
            try await withBanner(ns, maintenance: true) { banner in
                _ = try await banner.ban(ip("10.5.0.1"), seconds: 600)
                try ns.nft("flush", "ruleset")
                #expect(await eventually {
                    ((try? ns.elements(banner.layout, .inet)) ?? [:])["10.5.0.1"] != nil
                })
                let chain = try ns.nft("list", "chain", "inet", "portsentry", "prerouting")
                #expect(chain.components(separatedBy: "saddr @banned_v").count - 1 == 2)
                #expect(banner.metrics().restores >= 1)
            }
        }
    }

    @Test func deletedChainIsRestoredWhileRunning() async throws {
        try await withNamespace { ns in
            try await withBanner(ns, maintenance: true) { banner in
                _ = try await banner.ban(ip("10.5.0.2"), seconds: 600)
                try ns.nft("flush", "chain", "inet", "portsentry", "prerouting")
                try ns.nft("delete", "chain", "inet", "portsentry", "prerouting")
                #expect(await eventually {
                    ((try? ns.nft("list", "chain", "inet", "portsentry", "prerouting")) ?? "").contains("hook prerouting")
                })
                let chain = try ns.nft("list", "chain", "inet", "portsentry", "prerouting")
                #expect(chain.components(separatedBy: "saddr @banned_v").count - 1 == 2)
                #expect(try ns.elements(banner.layout, .inet)["10.5.0.2"] != nil)
            }
        }
    }

    @Test func expiriesAreReported() async throws {
        try await withNamespace { ns in
            try await withBanner(ns, maintenance: true) { banner in
                _ = await banner.ban([BanRequest(ip("10.6.0.1"), seconds: 1), BanRequest(ip("fd00::6"), seconds: 1)])
                #expect(banner.isBanned(ip("10.6.0.1")) && banner.isBanned(ip("fd00::6")))
                var iterator = banner.expiries.makeAsyncIterator()
                let releases = [await iterator.next(), await iterator.next()]
                #expect(releases == [BanRelease(address: ip("10.6.0.1"), reason: .expired),
                                     BanRelease(address: ip("fd00::6"), reason: .expired)])
                #expect(!banner.isBanned(ip("10.6.0.1")) && !banner.isBanned(ip("fd00::6")))
            }
        }
    }

    @Test func deletedStateFileIsWrittenAgain() async throws {
        try await withNamespace { ns in
            let dir = makeTempDir()
            defer { removeTree(dir) }
            let state = dir + "/bans.state"
            try await withBanner(ns, stateFile: state, maintenance: true) { banner in
                _ = try await banner.ban(ip("10.7.0.1"))
                #expect(await eventually { (try? BanStateFile(path: state).read().map(\.address)) == [ip("10.7.0.1")] })
                try FileManager.default.removeItem(atPath: state)
                #expect(await eventually { (try? BanStateFile(path: state).read().map(\.address)) == [ip("10.7.0.1")] })
            }
        }
    }

    @Test func supportCheckPassesAsRoot() throws {
        try NftSupport.check()
        #expect(NftSupport.unavailabilityReason() == nil)
    }

    @Test func missingNamespaceIsAClearError() {
        #expect(throws: NftError.self) {
            try NftablesBackend(layout: NftLayout(table: "t", hook: .input, setSize: 1), defaultSeconds: 1,
                               stateFile: nil, namespace: "/run/netns/does-not-exist", logger: .init(label: "t"))
        }
    }
}
