import Firewall
import Glibc
import PortsentryCore

/// `list`, `block`, `unblock` and `flush` on a ban service, as the control protocol reports them:
/// shared by the daemon's handler and portsentry-ctl's offline mode. The service and its policy
/// decide; this only words the outcome per target.
public struct BanCommands: Sendable {
    public let bans: BanService

    public init(bans: BanService) { self.bans = bans }

    /// The live bans.
    public func list() -> [BanEntry] {
        let now = WallClock.nowMs()
        return bans.bans().map { BanEntry($0, now: now) }
    }

    /// Bans what the order names, through the ban policy: one result per target.
    public func block(_ order: BlockOrder) async throws(BanBackendError) -> [TargetResult] {
        let outcomes = try await bans.block(order.targets, seconds: order.seconds, reason: order.reason, force: order.force)
        return zip(order.targets, outcomes).map { target, outcome in
            switch outcome {
            case .failure(let refusal): TargetResult(address: "\(target)", outcome: .refused, detail: "\(refusal)")
            case .success(let result): Self.result(for: target, result)
            }
        }
    }

    /// Lifts the bans inside each target and the prefix bans containing it: one result per
    /// target (naming what was lifted when it is not the target itself), and every ban lifted.
    public func unblock(_ targets: [CIDR]) async throws(BanBackendError) -> (results: [TargetResult], removed: [CIDR]) {
        let removed = try await bans.unblock(targets)
        let results = targets.map { target in
            let lifted = removed.filter(target.overlaps)
            guard !lifted.isEmpty else { return TargetResult(address: "\(target)", outcome: .notBanned) }
            let detail = lifted == [target] ? nil : "lifted " + lifted.map(\.description).joined(separator: " ")
            return TargetResult(address: "\(target)", outcome: .unblocked, detail: detail)
        }
        return (results, removed)
    }

    /// Lifts every ban; returns those whose ban was live (not just expired).
    public func flush() async throws(BanBackendError) -> [CIDR] {
        let live = Set(bans.bans().map(\.target))
        return try await bans.flush().filter(live.contains)
    }

    /// What is known of `target` (an address, or a banned prefix): its live ban, the last ban
    /// remembered with its evidence, and whether it is ignored or protected now.
    public func explain(_ target: CIDR, at now: Int64 = WallClock.nowMs()) -> Explanation {
        let policy = bans.policy
        let address = target.network
        let live = target.isHost ? bans.liveBan(covering: address) : bans.bans().first { $0.target == target }
        let record = bans.ledger?.record(of: live?.target ?? target, at: now)
        let liveBan = live.map { ban in
            Explanation.LiveBan(target: "\(ban.target)", expiresIn: ban.timeLeftMs(at: now).map { UInt64(($0 + 999) / 1000) },
                                expiresAt: ban.expiresAt.map { $0 / 1000 }, hits: ban.hits, offence: ban.offence)
        }
        var last = record.map { Explanation.PastBan($0, interfaceName: Self.interfaceName) }
        if let live, last == nil, let origin = live.origin {
            // A ban the ledger does not know (restored from a version-1 state file): what the ban itself keeps.
            let decision = BanDecision(target: live.target, seconds: live.seconds ?? 0, origin: origin,
                                       time: live.since ?? now, offence: live.offence, term: .requested)
            last = Explanation.PastBan(BanRecord(target: decision.target, offences: live.offence, last: decision,
                                                 expiresAt: live.expiresAt), interfaceName: Self.interfaceName)
        }
        return Explanation(query: "\(target)", live: liveBan, last: last, offences: record?.offences ?? (live == nil ? 0 : 1),
                           offenceMemory: policy.escalation.memorySeconds,
                           ignored: target.isHost && policy.ignoreList.contains(address),
                           protected: target.isHost ? policy.protectionRefusal(for: address).flatMap {
                               if case .protected(_, let reason) = $0 { reason.rawValue } else { nil }
                           } : nil)
    }

    /// The name of interface `index` (`#<index>` when it is gone).
    static func interfaceName(_ index: UInt32) -> String? { InterfaceName.of(index) }

    private static func result(for target: CIDR, _ result: BanResult) -> TargetResult {
        switch result.status {
        case .failed(let why): TargetResult(address: "\(target)", outcome: .failed, detail: why)
        case .dryRun: TargetResult(address: "\(target)", outcome: .blocked, detail: "dry run: nothing was blocked")
        case .refreshed: TargetResult(address: "\(target)", outcome: .blocked, detail: "already banned; its timeout starts again")
        case .banned: TargetResult(address: "\(target)", outcome: .blocked)
        }
    }
}
