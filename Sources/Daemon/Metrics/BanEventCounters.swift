import CoreMetrics
import Firewall
import PortsentryCore

/// The ban service's observer behind `portsentry_bans_total`, `portsentry_unbans_total`,
/// `portsentry_ban_refusals_total` and the failed steps of `portsentry_action_failures_total`:
/// every ban, probe, manual or fleet, passes here. Counting only (an atomic add per event).
struct BanEventCounters: BanObserver {
    /// The `origin` label values of `portsentry_bans_total` (the last, `restore`, counts the bans
    /// found at start; the others `portsentry_ban_refusals_total` has too).
    static let origins = ["probe", "kernel", "manual", "fleet", "restore"]
    /// The `action` label values of `portsentry_action_failures_total`.
    static let actions = ["nftables", "route", "wrappers", "run_cmd"]

    struct OriginFamily: Hashable, Sendable { var origin: String; var family: AddressFamily }
    struct OriginReason: Hashable, Sendable { var origin: String; var reason: String }

    private let bans: CounterTable<OriginFamily>
    private let unbans: CounterTable<String>
    private let refusals: CounterTable<OriginReason>
    private let failures: CounterTable<String>

    init() {
        bans = CounterTable(.bans, Self.origins.flatMap { o in AddressFamily.allCases.map { OriginFamily(origin: o, family: $0) } }) {
            [("origin", $0.origin), ("family", $0.family.metricLabel)]
        }
        unbans = CounterTable(.unbans, ["expired", "manual", "flush", "evicted", "withdrawn"]) { [("reason", $0)] }
        let reasons = ["ignored", "local_address", "network_too_large", "protected", "rate_limited"]
        refusals = CounterTable(.banRefusals, Self.origins.dropLast().flatMap { o in reasons.map { OriginReason(origin: o, reason: $0) } }) {
            [("origin", $0.origin), ("reason", $0.reason)]
        }
        failures = CounterTable(.actionFailures, Self.actions) { [("action", $0)] }
    }

    /// The `reason` label of an unban.
    static func reason(_ reason: BanRelease.Reason) -> String {
        switch reason {
        case .expired: "expired"
        case .unbanned: "manual"
        case .flushed: "flush"
        case .evicted: "evicted"
        case .withdrawn: "withdrawn"
        }
    }

    /// The `reason` label of a refusal.
    static func reason(_ refusal: BanRefusal) -> String {
        switch refusal {
        case .ignored: "ignored"
        case .localAddress: "local_address"
        case .networkTooLarge: "network_too_large"
        case .protected: "protected"
        case .rateLimited: "rate_limited"
        }
    }

    func observe(_ event: BanEvent) {
        switch event {
        case .applied(let result):
            for step in result.steps {
                if case .failed = step.outcome { actionFailed(step.enforcement.method) }
            }
            guard result.status == .banned else { return }
            banned(origin: result.decision.origin.kind, family: result.decision.target.family)
        case .refused(_, let origin, let refusal):
            refusals.increment(OriginReason(origin: origin.kind, reason: Self.reason(refusal)))
        case .released(let release):
            unbans.increment(Self.reason(release.reason))
        }
    }

    /// Counts `count` new bans of `origin` (one of `origins`).
    func banned(origin: String, family: AddressFamily, count: Int = 1) {
        bans.increment(OriginFamily(origin: origin, family: family), by: count)
    }

    /// Counts one failed action (one of `actions`).
    func actionFailed(_ action: String) { failures.increment(action) }
}
