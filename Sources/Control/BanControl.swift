import Firewall
import PortsentryCore

/// `list`, `block`, `unblock` and `flush` on the nftables backend: the part of the control
/// commands that the daemon's adapter and portsentry-ctl's offline mode share.
public struct BanControl: Sendable {
    /// The backend the commands act on (the daemon's, or one opened by portsentry-ctl).
    public let banner: NftablesBanner

    public init(banner: NftablesBanner) {
        self.banner = banner
    }

    /// The live bans.
    public func list() -> [BanEntry] {
        let now = WallClock.nowMs()
        return banner.bans().map { BanEntry($0, now: now) }
    }

    /// Bans every host the order names that `screen` lets through, in one transaction;
    /// one result per target, and every host now banned.
    public func block(_ order: BlockOrder, screen: BlockScreen) async -> (results: [TargetResult], banned: [IPAddress]) {
        let trigger = BanTrigger(proto: nil, port: nil, type: BanEntry.manualType(reason: order.reason), time: WallClock.nowMs())
        let verdicts = order.targets.map { screen.verdict(for: $0, force: order.force) }
        let requests = verdicts.flatMap(\.hosts).map { BanRequest($0, seconds: order.seconds, trigger: trigger) }
        let all = await banner.ban(requests)
        let banned = zip(requests, all).compactMap { request, outcome -> IPAddress? in
            switch outcome {
            case .success(.banned), .success(.refreshed): request.address
            default: nil
            }
        }
        var outcomes = all[...]
        let results = zip(order.targets, verdicts).map { target, verdict in
            switch verdict {
            case .refuse(let refusal):
                return refusal
            case .ban(let hosts):
                let results = outcomes.prefix(hosts.count)
                outcomes = outcomes.dropFirst(hosts.count)
                return Self.result(for: target, results)
            }
        }
        return (results, banned)
    }

    /// Lifts the bans inside each target; one result per target, and every address unbanned.
    public func unblock(_ targets: [CIDR]) async throws(NftError) -> (results: [TargetResult], removed: [IPAddress]) {
        let removed = try await banner.unban(targets)
        let results = targets.map { target in
            let inside = removed.filter(target.contains)
            guard !inside.isEmpty else { return TargetResult(address: "\(target)", outcome: .notBanned) }
            let detail = target.isHost ? nil : inside.map(\.description).joined(separator: " ")
            return TargetResult(address: "\(target)", outcome: .unblocked, detail: detail)
        }
        return (results, removed)
    }

    /// Lifts every ban; returns the addresses whose ban was live (not just expired).
    public func flush() async throws(NftError) -> [IPAddress] {
        let live = Set(banner.bans().map(\.address))
        return try await banner.flush().filter(live.contains)
    }

    private static func result(for target: CIDR, _ outcomes: ArraySlice<Result<BanOutcome, NftError>>) -> TargetResult {
        var refreshed = 0
        for outcome in outcomes {
            switch outcome {
            case .failure(let error):
                return TargetResult(address: "\(target)", outcome: .failed, detail: "\(error)")
            case .success(.setFull(let family)):
                return TargetResult(address: "\(target)", outcome: .failed,
                                    detail: "the \(family == .inet ? "IPv4" : "IPv6") ban set is full (NFT_SET_SIZE)")
            case .success(.refreshed):
                refreshed += 1
            case .success(.banned):
                break
            }
        }
        let detail: String? = switch (outcomes.count, refreshed) {
        case (1, 1): "already banned; its timeout starts again"
        case (1, _): nil
        case (let n, 0): "\(n) addresses"
        case (let n, let r): "\(n) addresses (\(r) already banned)"
        }
        return TargetResult(address: "\(target)", outcome: .blocked, detail: detail)
    }
}
