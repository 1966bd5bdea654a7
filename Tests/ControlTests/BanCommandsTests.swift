#if canImport(Glibc)
import Glibc
#endif
import Firewall
import Logging
import PortsentryCore
import Testing
@testable import Control

/// `BanCommands` over a ban service on the real nftables backend, each test in its own network namespace.
@Suite(.enabled(if: geteuid() == 0, "needs root for network namespaces and nftables"))
struct BanCommandsTests {
    private func withControl(_ body: (BanCommands, String) async throws -> Void) async throws {
        try await withNamespace { name in
            let layout = try NftLayout(table: "psctltest", hook: .prerouting, setSize: 1024)
            let backend = try NftablesBackend(layout: layout, defaultSeconds: 3600, stateFile: nil,
                                              namespace: "/run/netns/\(name)", logger: Logger(label: "test"))
            try await backend.start()
            let policy = BanPolicy(banSeconds: 3600, ignoreList: IgnoreList([try! CIDR(target: "192.0.2.1")]))
            let bans = BanService(backend: backend, policy: policy, blockedFile: nil, localAddresses: { [] },
                                  logger: Logger(label: "test"))
            do {
                try await body(BanCommands(bans: bans), name)
            } catch {
                await backend.shutdown()
                throw error
            }
            await backend.shutdown()
        }
    }

    @Test func blockListUnblockFlush() async throws {
        try await withControl { control, namespace in
            let order = BlockOrder(targets: [try CIDR(target: "203.0.113.7"), try CIDR(target: "2001:db8::/127"),
                                             try CIDR(target: "192.0.2.1")],
                                   seconds: 600, reason: "test ban")
            let blocked = try await control.block(order)
            #expect(blocked.map(\.outcome) == [.blocked, .blocked, .refused])
            #expect(Set(control.bans.bans().map(\.target)) == [try CIDR(target: "203.0.113.7"), try CIDR(target: "2001:db8::/127")])

            let listed = control.list()
            #expect(Set(listed.map(\.address)) == ["203.0.113.7", "2001:db8::/127"])
            let first = try #require(listed.first { $0.address == "203.0.113.7" })
            #expect(first.reason == "test ban")
            #expect(first.trigger == nil)
            #expect((590...600).contains(first.expiresIn ?? 0))
            #expect(try await nft(in: namespace, "list", "set", "inet", "psctltest", "banned_v4").contains("203.0.113.7"))
            #expect(try await nft(in: namespace, "list", "set", "inet", "psctltest", "banned_v6_127").contains("2001:db8::"))

            let (results, removed) = try await control.unblock([try CIDR(target: "203.0.113.7"), try CIDR(target: "203.0.113.8")])
            #expect(results.map(\.outcome) == [.unblocked, .notBanned])
            #expect(removed == [try CIDR(target: "203.0.113.7")])
            #expect(try await !nft(in: namespace, "list", "set", "inet", "psctltest", "banned_v4").contains("203.0.113.7"))

            let again = try await control.block(BlockOrder(targets: [try CIDR(target: "2001:db8::/127")]))
            #expect(again.first?.detail == "already banned; its timeout starts again")
            _ = try await control.block(BlockOrder(targets: [try CIDR(target: "198.51.100.9")]))

            #expect(try await control.flush().count == 2)
            #expect(control.list().isEmpty)
        }
    }

    @Test func unblockingANetworkLiftsEveryBanInsideAndAnInnerAddressLiftsItsPrefix() async throws {
        try await withControl { control, namespace in
            _ = try await control.block(BlockOrder(targets: [try CIDR(target: "203.0.113.1"), try CIDR(target: "203.0.113.2"),
                                                             try CIDR(target: "2001:db8:1:2::/64")]))
            let (results, removed) = try await control.unblock([try CIDR(target: "203.0.113.0/24")])
            #expect(results.first?.outcome == .unblocked)
            #expect(results.first?.detail == "lifted 203.0.113.1 203.0.113.2")
            #expect(removed.count == 2)

            let inner = try await control.unblock([try CIDR(target: "2001:db8:1:2::99")])
            #expect(inner.results.first?.outcome == .unblocked)
            #expect(inner.results.first?.detail == "lifted 2001:db8:1:2::/64")
            #expect(try await !nft(in: namespace, "list", "set", "inet", "psctltest", "banned_v6_64").contains("2001:db8:1:2::"))
            #expect(control.list().isEmpty)
        }
    }
}
