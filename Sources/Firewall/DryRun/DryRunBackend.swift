import PortsentryCore

/// DRY_RUN="1" / --dry-run: every step of the backend it stands in for, simulated. Nothing
/// reaches the firewall, no KILL_ROUTE or KILL_HOSTS_DENY runs, nothing is kept, so every
/// triggered event reports again what it would have done.
public final class DryRunBackend: BanBackend {
    private let wouldUse: @Sendable (BanDecision) -> [Enforcement]
    private let thread = SerialThread()
    public let expiries: AsyncStream<BanRelease> = AsyncStream { $0.finish() }

    /// - Parameter wouldUse: the enforcement steps the real backend would take for a decision.
    public init(wouldUse: @escaping @Sendable (BanDecision) -> [Enforcement]) {
        self.wouldUse = wouldUse
    }

    public var kind: BackendKind { .dryRun }
    public var keepsBans: Bool { false }

    public func schedule(_ work: @escaping @Sendable () -> Void) { thread.schedule(work) }

    public func apply(_ decisions: [BanDecision]) -> [BanResult] {
        decisions.map { d in BanResult(decision: d, steps: wouldUse(d).map { EnforcementStep($0, .simulated) }) }
    }

    public func lift(_ targets: [CIDR]) throws(BanBackendError) -> [CIDR] { [] }
    public func flush() throws(BanBackendError) -> [CIDR] { [] }
    public func isBanned(_ address: IPAddress) -> Bool { false }
    public func bans() -> [Ban] { [] }
    public func recordHit(_ address: IPAddress) {}
    public func maintain() async {}
    public func shutdown() async {}
}
