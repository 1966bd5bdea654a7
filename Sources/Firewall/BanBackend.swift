import PortsentryCore

/// The one contract between *decide* and *enforce*. A backend takes ban decisions as values,
/// applies a batch in one go (one transaction where the firewall has them), and reports what each
/// decision did as a value. nftables, the legacy KILL_* commands and the dry run implement it;
/// nothing above the backends knows which one runs. docs/backends.md tells how to write one.
///
/// Threads: every backend owns one serial thread (`schedule`). `apply`, `lift` and `flush` run
/// on it — the ban service calls them from work it scheduled there, so the pipeline commits
/// without a thread hop. The queries answer from any thread and never block.
public protocol BanBackend: Sendable {
    /// What it is, for `portsentry-ctl status` and the log.
    var kind: BackendKind { get }
    /// Whether it keeps its bans: lists them, expires them, lifts them and knows who is banned.
    /// The legacy commands do not (BLOCKED_FILE then tells who was blocked).
    var keepsBans: Bool { get }

    /// Runs `work` on the backend's thread, after what is queued there.
    func schedule(_ work: @escaping @Sendable () -> Void)

    /// On the backend's thread: applies every decision, one result per decision, in order.
    func apply(_ decisions: [BanDecision]) -> [BanResult]
    /// On the backend's thread: lifts every ban inside a target and every prefix ban that
    /// contains one (an address inside a banned /64 lifts the /64); returns the bans lifted.
    func lift(_ targets: [CIDR]) throws(BanBackendError) -> [CIDR]
    /// On the backend's thread: lifts every ban; returns the bans that were held.
    func flush() throws(BanBackendError) -> [CIDR]

    /// On the backend's thread: hosts the kernel trap banned on their own (KERNEL_BAN, the
    /// packet path bans hosts) whose prefix is now banned: a backend that holds prefixes folds
    /// them into the prefix, so that lifting it lifts them. The default does nothing.
    func absorbKernelBans(_ hosts: [IPAddress])
    /// When the kernel trap's set of `family` was first seen full (`CLOCK_MONOTONIC`
    /// nanoseconds), nil while it has room: a probe captured after that was not banned by the
    /// kernel. The default: nil (no trap set).
    func kernelTrapFullSince(_ family: AddressFamily) -> UInt64?

    /// On the backend's thread, before `isBanned` answers for a batch of events: makes sure
    /// the backend's view of who is banned still matches the firewall, so that a source someone
    /// else unbanned behind its back is banned again (nftables: a generation check, and the
    /// watchdog's repair when the ruleset changed). The default does nothing.
    func confirmBans()
    /// Whether `address` is banned now, by a host or a prefix ban (never blocks).
    func isBanned(_ address: IPAddress) -> Bool
    /// The live ban that drops `address`, for a backend that keeps bans (never blocks).
    func liveBan(covering address: IPAddress) -> Ban?
    /// The live bans, sorted by address.
    func bans() -> [Ban]
    /// How many bans are live per address family, without listing them (never blocks); the
    /// default counts `bans()`.
    func banCounts() -> [AddressFamily: Int]
    /// Counts one more probe from a banned source (on the ban that covers it).
    func recordHit(_ address: IPAddress)
    /// On the backend's thread: what its rules dropped per address family; nil when it does
    /// not count (the default) or cannot read its counters now.
    func dropCounters() -> [AddressFamily: DropCount]?
    /// Bans that ended by themselves (expiry), as they end.
    var expiries: AsyncStream<BanRelease> { get }

    /// Keeps the bans right until the calling task is cancelled: expiry reports, repairs of a
    /// firewall someone changed, state-file writes. The daemon runs it as a service.
    func maintain() async
    /// Finishes pending work and lets go of the firewall; the bans stay in force.
    func shutdown() async
}

extension BanBackend {
    /// A backend that keeps no bans knows of none.
    public func liveBan(covering address: IPAddress) -> Ban? { nil }
    public func absorbKernelBans(_ hosts: [IPAddress]) {}
    public func kernelTrapFullSince(_ family: AddressFamily) -> UInt64? { nil }
    public func confirmBans() {}
    public func dropCounters() -> [AddressFamily: DropCount]? { nil }
    public func banCounts() -> [AddressFamily: Int] { BanService.counts(bans().lazy.map(\.family)) }
}

/// Which backend bans, as `portsentry-ctl status` names it.
public enum BackendKind: String, Sendable, Hashable, Codable {
    case nftables
    case command
    case dryRun = "dry-run"
}

/// One way a ban is enforced, as the attackalert lines name it.
public enum Enforcement: Sendable, Hashable {
    /// An element of an nftables set of table `inet <table>`.
    case nftables(table: String, set: String)
    /// A KILL_HOSTS_DENY line in /etc/hosts.deny (TCP wrappers).
    case wrappers(line: String)
    /// A KILL_ROUTE command.
    case route(command: String)

    /// `nftables`, `wrappers` or `route`: the dry-run line's last word.
    public var method: String {
        switch self {
        case .nftables: "nftables"
        case .wrappers: "wrappers"
        case .route: "route"
        }
    }
}

/// What one enforcement step did for one decision.
public struct EnforcementStep: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        case applied
        /// Nothing changed; why.
        case failed(String)
        /// Dry run: it would have been applied.
        case simulated
    }
    public var enforcement: Enforcement
    public var outcome: Outcome

    public init(_ enforcement: Enforcement, _ outcome: Outcome) {
        self.enforcement = enforcement; self.outcome = outcome
    }
}

/// What applying one ban decision did: its steps in order (KILL_HOSTS_DENY before KILL_ROUTE,
/// as 2.x runs them) and, for backends that keep bans, the ban now held.
public struct BanResult: Sendable, Hashable {
    public var decision: BanDecision
    public var steps: [EnforcementStep]
    /// The ban as the backend holds it after this (backends that keep bans, on success).
    public var ban: Ban?
    /// The source was banned already: its timeout starts again.
    public var refreshed: Bool
    /// Bans that ended to make room for this one: a full set evicts the ban closest to expiry
    /// (reason `.evicted`, or `.expired` when its time was up already). The ban service takes
    /// them out of BLOCKED_FILE and publishes their release.
    public var displaced: [BanRelease]

    public init(decision: BanDecision, steps: [EnforcementStep], ban: Ban? = nil, refreshed: Bool = false,
                displaced: [BanRelease] = []) {
        self.decision = decision; self.steps = steps; self.ban = ban; self.refreshed = refreshed; self.displaced = displaced
    }

    /// A failed result: one step that did not apply.
    public static func failed(_ decision: BanDecision, _ enforcement: Enforcement, _ reason: String) -> BanResult {
        BanResult(decision: decision, steps: [EnforcementStep(enforcement, .failed(reason))])
    }

    /// The result as one word: banned, refreshed, failed with the first reason, or dry run.
    public enum Status: Sendable, Hashable {
        case banned, refreshed, failed(String), dryRun
    }

    public var status: Status {
        if steps.contains(where: { $0.outcome == .applied }) { return refreshed ? .refreshed : .banned }
        if steps.contains(where: { $0.outcome == .simulated }) { return .dryRun }
        for step in steps { if case .failed(let why) = step.outcome { return .failed(why) } }
        return .failed("no blocking method is configured")
    }

    /// Whether at least one step applied (the scan line's `blocked: [true]`).
    public var succeeded: Bool { steps.contains { $0.outcome == .applied } }
}

/// Why a backend operation failed as a whole.
public struct BanBackendError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
