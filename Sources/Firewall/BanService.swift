import Glibc
import Logging
import PortsentryCore
import Synchronization

/// The one owner of banning: the backend, the ban policy and BLOCKED_FILE. The daemon's pipeline,
/// its control handler and portsentry-ctl's offline mode all ban and lift through it, and it
/// publishes every ban event to its observers (attackalert lines, and later metrics and fleet
/// sharing). Its writes to BLOCKED_FILE and its events happen on the backend's thread, in order.
public final class BanService: Sendable {
    public let backend: any BanBackend
    /// The memory of bans behind escalation and `explain`; nil for none (every ban a first offence).
    public let ledger: BanLedger?
    private let observers: [any BanObserver]
    private let localAddresses: @Sendable () -> Set<IPAddress>
    private let logger: Logger
    private struct State {
        var policy: BanPolicy
        var blockedFile: BlockedFile?
        var blockedHealth = WriteHealth()
        /// What BLOCKED_FILE holds: with a backend that keeps no bans, who is blocked already.
        var blockedHosts: Set<IPAddress>
    }
    private let state: Mutex<State>
    private let newBans = Atomic<UInt64>(0)

    /// - Parameter localAddresses: this host's addresses, which manual bans refuse without force.
    /// - Parameter ledger: hears every ban event before the observers, so they see its records current.
    public init(backend: any BanBackend, policy: BanPolicy, blockedFile: BlockedFile?, ledger: BanLedger? = nil,
                observers: [any BanObserver] = [],
                localAddresses: @escaping @Sendable () -> Set<IPAddress> = LocalAddresses.current, logger: Logger) {
        self.backend = backend
        self.logger = logger
        self.ledger = ledger
        self.observers = (ledger.map { [$0] } ?? []) + observers
        self.localAddresses = localAddresses
        state = Mutex(State(policy: policy, blockedFile: blockedFile, blockedHosts: Set(blockedFile?.load() ?? [])))
    }

    /// The policy in force.
    public var policy: BanPolicy { state.withLock { $0.policy } }

    /// What the policy asks about earlier bans.
    public var history: any OffenceHistory { ledger ?? NoOffenceHistory() }

    /// A reload: the new policy and BLOCKED_FILE (re-read when its path changed).
    public func update(policy: BanPolicy, blockedFile: BlockedFile?) {
        let reread = state.withLock { s -> Bool in
            defer { s.policy = policy; s.blockedFile = blockedFile }
            return s.blockedFile?.path != blockedFile?.path
        }
        if reread { state.withLock { $0.blockedHosts = Set(blockedFile?.load() ?? []) } }
    }

    // MARK: The pipeline's side: on the backend's thread

    /// Runs `work` on the backend's thread, in order with every ban and lift.
    public func schedule(_ work: @escaping @Sendable () -> Void) { backend.schedule(work) }

    /// How a source stands before it is banned again.
    public enum Standing: Sendable, Hashable {
        /// The firewall drops it already (a backend that keeps bans).
        case banned
        /// BLOCKED_FILE lists it (the legacy commands ran for it before).
        case listed
    }

    /// Whether `address` is banned already, and how; nil when it is not. Without BLOCKED_FILE a
    /// backend that keeps no bans acts on every triggered event, as 2.x does.
    public func standing(of address: IPAddress) -> Standing? {
        if backend.keepsBans { return backend.isBanned(address) ? .banned : nil }
        return state.withLock { $0.blockedFile != nil && $0.blockedHosts.contains(address) } ? .listed : nil
    }

    /// On the backend's thread, before the standings of a batch are trusted: the backend checks
    /// that its view of who is banned still matches the firewall (`BanBackend.confirmBans`).
    public func confirmBans() { backend.confirmBans() }

    /// How a source stands that an earlier event of the same batch is banning (without
    /// BLOCKED_FILE the legacy commands act on every event, as 2.x does; a dry run reports
    /// every event).
    public var standingOfPlanned: Standing? {
        if backend.keepsBans { return .banned }
        if backend.kind == .dryRun { return nil }
        return state.withLock { $0.blockedFile != nil } ? .listed : nil
    }

    /// On the backend's thread: applies `decisions` (one transaction where the backend has them).
    /// Bans displaced to make room (a full set) leave BLOCKED_FILE and are published at once; the
    /// caller publishes each result with `publish` when its event's turn comes.
    public func apply(_ decisions: [BanDecision]) -> [BanResult] {
        guard !decisions.isEmpty else { return [] }
        let results = backend.apply(decisions)
        let displaced = results.flatMap(\.displaced)
        forget(displaced.map(\.target))
        for release in displaced { publish(.released(release)) }
        return results
    }

    /// Tells every observer.
    public func publish(_ event: BanEvent) {
        if case .applied(let result) = event, result.status == .banned { newBans.add(1, ordering: .relaxed) }
        for observer in observers { observer.observe(event) }
    }

    /// New bans made since start (refreshes and dry runs not counted).
    public var bansMade: UInt64 { newBans.load(ordering: .relaxed) }

    /// The live ban that drops `address`, if the backend keeps bans.
    public func liveBan(covering address: IPAddress) -> Ban? { backend.liveBan(covering: address) }

    /// Records `address` in BLOCKED_FILE (once). Its 2.x records hold hosts: a prefix ban is
    /// recorded as the host whose probe made it, a manual or fleet prefix not at all. After
    /// failed writes (full disk, read-only directory: logged once) the next one rewrites the
    /// whole file, so it lists every host again.
    public func noteBlocked(_ address: IPAddress) {
        let (file, isNew, stale) = state.withLock { ($0.blockedFile, $0.blockedHosts.insert(address).inserted, $0.blockedHealth.isFailing) }
        guard let file, isNew || stale else { return }
        recordBlockedWrite(file, stale ? file.rewrite(listing: state.withLock { $0.blockedHosts }) : file.append(address))
    }

    /// Logs the first failure of a BLOCKED_FILE write and the first success after failures.
    private func recordBlockedWrite(_ file: BlockedFile, _ err: Int32?) {
        guard let report = state.withLock({ $0.blockedHealth.record("blocked file \(file.path)", errno: err) }) else { return }
        logger.log(report)
    }

    /// On the backend's thread: sources the kernel trap banned as hosts that a prefix ban may
    /// cover now (`BanBackend.absorbKernelBans`).
    public func absorbKernelBans(_ hosts: [IPAddress]) {
        if !hosts.isEmpty { backend.absorbKernelBans(hosts) }
    }

    /// When the kernel trap's set of `family` was first seen full, nil while it has room
    /// (`BanBackend.kernelTrapFullSince`).
    public func kernelTrapFullSince(_ family: AddressFamily) -> UInt64? { backend.kernelTrapFullSince(family) }

    /// Counts an event from a source the firewall already drops.
    public func recordHit(_ address: IPAddress) { backend.recordHit(address) }

    // MARK: The administrator's side

    /// What the backend's rules dropped per address family (nftables: our named counters);
    /// nil from a backend that does not count. Read on the backend's thread, between batches.
    public func dropCounters() async -> [AddressFamily: DropCount]? {
        await onBackendThread { [backend] in backend.dropCounters() }
    }

    /// How many bans are live per address family (a backend that keeps none: the hosts
    /// BLOCKED_FILE lists), without listing them.
    public func banCounts() -> [AddressFamily: Int] {
        if backend.keepsBans { return backend.banCounts() }
        return Self.counts(state.withLock { $0.blockedHosts }.lazy.map(\.family))
    }

    /// Both families' counts among `families` (0 for one absent).
    static func counts(_ families: some Sequence<AddressFamily>) -> [AddressFamily: Int] {
        var out: [AddressFamily: Int] = [.inet: 0, .inet6: 0]
        for f in families { out[f, default: 0] += 1 }
        return out
    }

    /// The live bans (a backend that keeps none: the hosts BLOCKED_FILE lists, without expiry).
    public func bans() -> [Ban] {
        if backend.keepsBans { return backend.bans() }
        return state.withLock { $0.blockedHosts }.sorted().map { Ban(address: $0, expiresAt: nil) }
    }

    /// A manual ban of each target (a host or a prefix, one element) for `seconds` (nil =
    /// BAN_TIME), through the ban policy: per target, what applying it did, or why the policy
    /// refused it.
    public func block(_ targets: [CIDR], seconds: UInt64?, reason: String?, force: Bool) async throws(BanBackendError)
        -> [Result<BanResult, BanRefusal>]
    {
        guard backend.keepsBans || backend.kind == .dryRun else { throw CommandBackend.cannotChange }
        let policy = self.policy, local = localAddresses()
        let rulings = targets.map { policy.decide(manual: $0, seconds: seconds, reason: reason, force: force, localAddresses: local, history: history) }
        return await onBackendThread { [self] in
            for (target, ruling) in zip(targets, rulings) {
                if case .failure(let refusal) = ruling { publish(.refused(target: target, origin: .manual(reason: reason), refusal)) }
            }
            var results = apply(rulings.compactMap { try? $0.get() })[...]
            return rulings.map { ruling in
                ruling.map { _ in
                    let result = results.removeFirst()
                    publish(.applied(result))
                    if result.succeeded, result.decision.target.isHost { noteBlocked(result.decision.address) }
                    return result
                }
            }
        }
    }

    /// Lifts every ban inside `targets` and every prefix ban containing one; returns the bans
    /// lifted. Their hosts leave BLOCKED_FILE.
    public func unblock(_ targets: [CIDR]) async throws(BanBackendError) -> [CIDR] {
        try await lifting(.unbanned) { [backend] () throws(BanBackendError) in
            // A target leaves BLOCKED_FILE even when the backend had no ban for it.
            (try backend.lift(targets), targets)
        }
    }

    /// Lifts every ban; returns the bans that were held.
    public func flush() async throws(BanBackendError) -> [CIDR] {
        try await lifting(.flushed) { [backend] () throws(BanBackendError) in (try backend.flush(), []) }
    }

    func lifting(_ reason: BanRelease.Reason,
                 _ body: @escaping @Sendable () throws(BanBackendError) -> (lifted: [CIDR], alsoForget: [CIDR]))
        async throws(BanBackendError) -> [CIDR]
    {
        try await onBackendThread { [self] () -> Result<[CIDR], BanBackendError> in
            Result { () throws(BanBackendError) in
                let (lifted, extra) = try body()
                forget(lifted + extra)
                for target in lifted { publish(.released(BanRelease(target: target, reason: reason))) }
                return lifted
            }
        }.get()
    }

    /// Right after the start-up: saved bans the policy no longer admits are lifted (one event each).
    public func reviewRestored() async {
        let policy = self.policy
        let refused = backend.bans().compactMap { ban in policy.admits(restored: ban).map { (ban, $0) } }
        guard !refused.isEmpty else { return }
        await onBackendThread { [self] in
            let lifted = Set((try? backend.lift(refused.map(\.0.target))) ?? [])
            forget(Array(lifted))
            for (ban, refusal) in refused where lifted.contains(ban.target) {
                publish(.refused(target: ban.target, origin: ban.origin ?? .manual(reason: nil), refusal))
            }
        }
    }

    /// Forwards the backend's expiries (BLOCKED_FILE, observers) until the backend shuts down.
    public func followExpiries() async {
        for await release in backend.expiries {
            backend.schedule { [self] in
                forget([release.target])
                publish(.released(release))
            }
        }
    }

    /// Drops the hosts inside `targets` from BLOCKED_FILE (a prefix: every host it lists there).
    private func forget(_ targets: [CIDR]) {
        guard !targets.isEmpty else { return }
        let networks = targets.filter { !$0.isHost }
        let (file, hosts) = state.withLock { s -> (BlockedFile?, Set<IPAddress>) in
            var hosts = Set(targets.lazy.filter(\.isHost).map(\.network))
            if !networks.isEmpty { hosts.formUnion(s.blockedHosts.filter { h in networks.contains { $0.contains(h) } }) }
            s.blockedHosts.subtract(hosts)
            return (s.blockedFile, hosts)
        }
        if let file {
            let stale = state.withLock { $0.blockedHealth.isFailing }
            recordBlockedWrite(file, stale ? file.rewrite(listing: state.withLock { $0.blockedHosts }) : file.remove(hosts))
        }
    }

    /// Runs `body` on the backend's thread and waits for it without holding a pool thread.
    func onBackendThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            backend.schedule { continuation.resume(returning: body()) }
        }
    }
}
