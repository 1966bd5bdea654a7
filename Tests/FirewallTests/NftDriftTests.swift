import Logging
import PortsentryCore
import Testing
import TestSupport
@testable import Firewall

/// The watchdog's comparisons (docs/nftables.md, "Drift"): whose commit moved the generation,
/// what differs in the table's shape, which bans the kernel lost; and the backend's repairs
/// against a scripted kernel.
@Suite struct NftDriftTests {
    // MARK: Generation ledger

    @Test func ownTransactionsAreAccountedForAndAnyOtherStepIsSomeoneElses() {
        var ledger = NftGenerationLedger(), changed = false
        ledger.reset(to: 10)
        ledger.observe(10)
        changed = ledger.takeOutsideChange(); #expect(!changed)
        ledger.beforeOwn(10); ledger.afterOwn(11, committed: true)     // ours changed something
        ledger.beforeOwn(11); ledger.afterOwn(11, committed: true)     // ours changed nothing
        ledger.beforeOwn(11); ledger.afterOwn(11, committed: false)    // ours failed
        ledger.observe(11)
        changed = ledger.takeOutsideChange(); #expect(!changed)
        ledger.beforeOwn(11); ledger.afterOwn(13, committed: true)     // someone committed meanwhile
        changed = ledger.takeOutsideChange(); #expect(changed)
        ledger.beforeOwn(13); ledger.afterOwn(14, committed: false)    // a failed one of ours moves nothing
        changed = ledger.takeOutsideChange(); #expect(changed)
        ledger.observe(15)                                             // between our transactions
        changed = ledger.takeOutsideChange(); #expect(changed)
        changed = ledger.takeOutsideChange(); #expect(!changed)                           // taken once
        ledger.beforeOwn(16)                                           // noticed before our own
        ledger.afterOwn(17, committed: true)
        changed = ledger.takeOutsideChange(); #expect(changed)
    }

    @Test func anUnreadableGenerationCountsAsAChange() {
        var ledger = NftGenerationLedger(), changed = false
        ledger.reset(to: 4)
        ledger.observe(nil)
        changed = ledger.takeOutsideChange(); #expect(changed)
        ledger.observe(4)
        changed = ledger.takeOutsideChange(); #expect(changed)   // from "unknown" back to a number
        ledger.reset(to: nil)
        #expect(ledger.outsideChange)
        ledger.observe(UInt32.max); ledger.beforeOwn(UInt32.max); ledger.afterOwn(0, committed: true)   // wraps
        _ = ledger.takeOutsideChange()
        ledger.observe(0)
        changed = ledger.takeOutsideChange(); #expect(!changed)
    }

    // MARK: Table shape

    let installed = NftTableShape(
        chains: ["prerouting": .init(hook: [0, 1], policy: 1, type: "filter", rules: [[1], [2]]),
                 "prerouting_ct": .init(hook: [0, 2], policy: 1, type: "filter", rules: [[3]])],
        sets: ["banned_v4": .init(flags: 0x30, keyLength: 4, size: 65536), "banned_v6": .init(flags: 0x30, keyLength: 16, size: 65536)])

    @Test func theSameShapeIsNoDrift() {
        #expect(installed.differences(from: installed).isEmpty)
    }

    @Test func eachDriftIsNamed() {
        var flushed = installed
        flushed.chains["prerouting"]?.rules = []
        #expect(flushed.differences(from: installed) == ["chain prerouting has 0 of its 2 rules"])

        var edited = installed
        edited.chains["prerouting"]?.rules[1] = [7]
        #expect(edited.differences(from: installed) == ["chain prerouting has 1 changed rule"])

        var gone = installed
        gone.chains["prerouting_ct"] = nil
        gone.sets["banned_v6"] = nil
        #expect(gone.differences(from: installed) == ["chain prerouting_ct is missing", "set banned_v6 is missing"])

        var remade = installed
        remade.sets["banned_v4"]?.flags = 0x10
        remade.chains["prerouting"]?.policy = 0
        #expect(remade.differences(from: installed) == ["chain prerouting has another hook, type or policy",
                                                        "set banned_v4 has other flags, key or size"])

        var extra = installed
        extra.chains["input"] = .init(hook: [0, 3], rules: [])
        extra.chains["someone_elses"] = .init()
        #expect(extra.differences(from: installed) == ["chain input was added"])
    }

    @Test func aRuleFingerprintLeavesCounterValuesOut() {
        // Two expressions: counter { packets } then immediate { verdict }.
        func rule(packets: UInt8) -> [UInt8] {
            let counter = attribute(1, attribute(1, Array("counter".utf8) + [0]) + attribute(2, attribute(1, [0, 0, 0, 0, 0, 0, 0, packets])))
            let verdict = attribute(1, attribute(1, Array("immediate".utf8) + [0]) + attribute(2, [1, 2, 3, 4]))
            return counter + verdict
        }
        let a = rule(packets: 1).withUnsafeBytes { NftTableShape.fingerprint(ofRule: NfAttributes(bytes: $0)) }
        let b = rule(packets: 9).withUnsafeBytes { NftTableShape.fingerprint(ofRule: NfAttributes(bytes: $0)) }
        #expect(a == b)
        #expect(a.count > "counterimmediate".count + 4)   // the verdict's data counts
    }

    private func attribute(_ type: UInt16, _ value: [UInt8]) -> [UInt8] {
        let length = UInt16(4 + value.count)
        return withUnsafeBytes(of: length, Array.init) + withUnsafeBytes(of: type, Array.init) + value
            + [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
    }

    // MARK: Missing bans

    @Test func missingBansAreThoseTheKernelLacksExceptTheAboutToExpire() {
        let now: Int64 = 1_000_000
        let bans = [Ban(address: ip("10.0.0.1"), expiresAt: now + 60_000), Ban(address: ip("10.0.0.2"), expiresAt: now + 60_000),
                    Ban(address: ip("10.0.0.3"), expiresAt: now + 500), Ban(address: ip("10.0.0.4"), expiresAt: nil)]
        let kernel = [NftElement(address: ip("10.0.0.1"), timeLeftMs: 60_000), NftElement(address: ip("10.0.0.9"), timeLeftMs: 5)]
        #expect(NftablesBackend.missing(bans, kernel: kernel, at: now).map(\.address) == [ip("10.0.0.2"), ip("10.0.0.4")])
        #expect(NftablesBackend.missing([], kernel: kernel, at: now).isEmpty)
    }

    @Test func aPrefixBanIsHeldAsItsNetworkAddress() throws {
        let now: Int64 = 1_000_000
        let p64 = try CIDR.parse("2001:db8:1:2::/64").cidr, p48 = try CIDR.parse("2001:db8:7::/48").cidr
        let bans = [Ban(target: p64, expiresAt: now + 60_000), Ban(target: p48, expiresAt: nil)]
        let kernel = [NftElement(address: ip("2001:db8:1:2::"), timeLeftMs: 60_000)]
        #expect(NftablesBackend.missing(bans, kernel: kernel, at: now).map(\.target) == [p48])
    }

    // MARK: The backend against a scripted kernel

    let kernel = ScriptedKernel()

    func backend(_ logger: Logger = Logger(label: "test")) throws -> NftablesBackend {
        try NftablesBackend(layout: NftLayout(table: "t", hook: .prerouting, setSize: 100), defaultSeconds: 600, stateFile: nil,
                            logger: logger, kernel: { [kernel] in kernel }, clock: { 1_800_000_000_000 })
    }

    @Test func aDeletedElementIsPutBackBeforeTheBanTableIsTrusted() async throws {
        let log = LogCapture()
        let b = try backend(log.logger)
        try await b.start()
        _ = try await b.ban(ip("10.0.0.1"))
        _ = try await b.ban(ip("10.0.0.2"))
        let scripts = kernel.scripts.count
        b.schedule { b.confirmBans() }            // nothing changed: no repair
        try await Task.sleep(for: .milliseconds(50))
        #expect(kernel.scripts.count == scripts)

        kernel.changeBehindBack(removing: ["10.0.0.2"])   // `nft delete element`
        await withCheckedContinuation { done in b.schedule { b.confirmBans(); done.resume() } }
        #expect(kernel.elements == [ip("10.0.0.1"), ip("10.0.0.2")])
        #expect(kernel.scripts.last == "netlink add banned_v4 { 10.0.0.2 timeout 600000ms }")
        #expect(log.texts.filter { $0.contains("changed behind portsentry's back") }
            == ["nftables table inet t was changed behind portsentry's back (1 of 2 bans missing from set banned_v4); repaired it, 1 ban put back with its remaining time"])
        await b.shutdown()
    }

    @Test func anEditedRuleIsReinstalledAndNothingElseIsTouched() async throws {
        let log = LogCapture()
        let b = try backend(log.logger)
        try await b.start()
        _ = try await b.ban(ip("10.0.0.1"))
        kernel.changeBehindBack(editRule: true)
        await withCheckedContinuation { done in b.schedule { b.confirmBans(); done.resume() } }
        #expect(kernel.scripts.last?.hasPrefix("add table inet t\n") == true)   // the install, alone
        #expect(kernel.elements == [ip("10.0.0.1")])
        #expect(log.texts.contains { $0.contains("(chain prerouting has 1 changed rule); repaired it") })
        await b.shutdown()
    }
}
