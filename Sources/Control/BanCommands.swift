import Firewall
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

    private static func result(for target: CIDR, _ result: BanResult) -> TargetResult {
        switch result.status {
        case .failed(let why): TargetResult(address: "\(target)", outcome: .failed, detail: why)
        case .dryRun: TargetResult(address: "\(target)", outcome: .blocked, detail: "dry run: nothing was blocked")
        case .refreshed: TargetResult(address: "\(target)", outcome: .blocked, detail: "already banned; its timeout starts again")
        case .banned: TargetResult(address: "\(target)", outcome: .blocked)
        }
    }
}
