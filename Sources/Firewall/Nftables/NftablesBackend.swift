import Dispatch
import Logging
import PortsentryCore
import Synchronization

/// The nftables enforcement backend: bans sources by adding them to the IPv4/IPv6 timeout sets
/// of its own table (`NftLayout`), batching every ban that arrives within one turn of its thread
/// into one libnftables transaction. It keeps the live bans in memory (rebuilt from the kernel at
/// start), in STATE_FILE, and — while `maintain()` runs — reports expiries on `expiries`,
/// repairs the table and its bans when someone else changes them (the watchdog), and keeps the
/// state file written.
///
/// It runs on a dedicated thread (`NftThreadExecutor`) that owns the one libnftables context.
/// Standalone use (portsentry-ctl with the daemon down): `start()`, the operations, then
/// `shutdown()`, without `maintain()`.
public actor NftablesBackend {
    public nonisolated let layout: NftLayout
    /// BAN_TIME in seconds (0 = no expiry), used when a request names no length.
    public nonisolated let defaultSeconds: UInt64
    /// Bans that expired, as the maintenance notices them.
    public nonisolated let expiries: AsyncStream<BanRelease>

    let logger: Logger
    let stateFile: BanStateFile?
    /// STATE_FILE's journal: every ban and lift durable within 50 ms (nil without STATE_FILE).
    let journal: BanJournal?
    let expirySink: AsyncStream<BanRelease>.Continuation
    /// The ban table and counters, readable without awaiting (`isBanned`, `bans`, `metrics`).
    let shared = Mutex<(book: BanBook, metrics: BanMetrics)>((BanBook(), BanMetrics()))

    let executor: NftThreadExecutor
    /// Writes STATE_FILE (with its fsync) off the backend's thread, so bans never wait for the disk.
    let stateWriter = DispatchQueue(label: "portsentry.nftables.state")
    /// Whether the last state-file write failed (its error is logged once per failing spell).
    let stateWriteFailing = Atomic<Bool>(false)
    /// Whether a state-file write is queued or running: the next waits for it (under a flood a
    /// slow disk would otherwise queue one snapshot of every ban per interval).
    let stateWriteQueued = Atomic<Bool>(false)
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    var context: (any NftKernel)?
    /// Opens the kernel interface (libnftables) on the backend's thread.
    let openKernel: @Sendable () throws(NftError) -> any NftKernel
    /// Wall-clock milliseconds: expiries and ban times (tests move it by hand).
    let clock: @Sendable () -> Int64
    var pending: [PendingBans] = []
    var commitScheduled = false
    var setFullLogged: Set<AddressFamily> = []
    /// Evictions from full sets not yet logged, per family (one warning a minute).
    var evictionReports: [AddressFamily: ReportTally] = [:]
    var stateDirty = false
    /// Repeating failures already logged (logged again only after a success).
    var failureLogged: Set<RepeatingFailure> = []
    enum RepeatingFailure { case restore }
    /// Whose commits moved the ruleset generation (the watchdog's cue to compare elements).
    var ledger = NftGenerationLedger()
    /// Our table as our last install left it, for the watchdog; nil before the first.
    var expectedShape: NftTableShape?
    /// When the watchdog next compares the elements whatever the generation says (wall-clock ms).
    var nextFullCheck: Int64 = 0
    /// When the start-up began, while elements the state file did not know are still to be
    /// learned from the kernel (`importUnknownElements`); nil once done or not needed.
    var importPendingSince: Int64?
    var lastStateWrite: Int64 = 0
    /// The kernel trap installed with the table (KERNEL_BAN), nil for none.
    var trap: KernelTrap?
    /// Per family, when maintenance first found its trap set full (`CLOCK_MONOTONIC` ns); no
    /// entry while it has room. Read from any thread.
    let trapFullSince = Mutex<[AddressFamily: UInt64]>([:])
    /// The prefix sets installed with the table: the configured ones and those of every ban
    /// held; a ban of a new length reinstalls the table with its set first.
    var prefixSets: Set<PrefixLength>
    /// Every ban set installed, as prefix lengths: the two host sets, then the prefix sets.
    var banSets: [PrefixLength] { AddressFamily.allCases.map { PrefixLength($0, $0.width) } + prefixSets.sorted() }

    /// - Parameters:
    ///   - stateFile: STATE_FILE path, nil for none.
    ///   - namespace: a network namespace (`/run/netns/NAME`) for the backend's thread; nil = the
    ///     process's own. Tests and benchmarks use it.
    public init(layout: NftLayout, defaultSeconds: UInt64, stateFile: String?, namespace: String? = nil,
                logger: Logger) throws(NftError) {
        try self.init(layout: layout, defaultSeconds: defaultSeconds, stateFile: stateFile, namespace: namespace,
                      logger: logger, kernel: { () throws(NftError) in try NftContext() }, clock: { WallClock.nowMs() })
    }

    /// The same with the kernel interface and the clock given (tests).
    init(layout: NftLayout, defaultSeconds: UInt64, stateFile: String?, namespace: String? = nil, logger: Logger,
         kernel: @escaping @Sendable () throws(NftError) -> any NftKernel, clock: @escaping @Sendable () -> Int64) throws(NftError) {
        openKernel = kernel
        self.clock = clock
        self.layout = layout
        self.defaultSeconds = min(defaultSeconds, BanDuration.maximum.seconds)
        self.stateFile = stateFile.map(BanStateFile.init(path:))
        journal = stateFile.map { BanJournal(statePath: $0, report: { [logger] in logger.log($0) }) }
        self.logger = logger
        prefixSets = layout.configuredPrefixes
        (expiries, expirySink) = AsyncStream.makeStream(of: BanRelease.self)
        executor = try NftThreadExecutor(namespace: namespace)
    }

    /// A backend for NFT_TABLE, NFT_HOOK, NFT_SET_SIZE, BAN_TIME and STATE_FILE of `config`.
    public init(config: Config, logger: Logger) throws(NftError) {
        try self.init(layout: NftLayout(config: config), defaultSeconds: config.banTime,
                      stateFile: config.stateFile, logger: logger)
    }

    /// Opens libnftables (after checking netlink, CAP_NET_ADMIN and nf_tables), installs the table
    /// idempotently (with the prefix sets of the bans it keeps and those the table holds already),
    /// puts every ban of the state file and its journal still running in the kernel (those it
    /// lost after a reboot or a flushed ruleset come back with their remaining time) and learns
    /// the kernel's bans the state file does not know. `maintained`: `maintain()` will run, and
    /// does that last part on its first tick, after the start-up.
    public func start(maintained: Bool = false) async throws(NftError) {
        guard context == nil else { return }
        let nsError = executor.namespaceError
        if nsError != 0 { throw .namespaceUnavailable(executor.namespace ?? "", nsError) }
        let saved = readStateInBackground()
        let ctx = try openKernel()
        try reconcile(ctx, saved: saved)
        context = ctx
        if !maintained { importUnknownElements(ctx) }
    }

    /// Commits what is queued, writes the state file and releases libnftables. The table and
    /// its bans stay in the kernel. Afterwards every operation fails with `.closed`.
    public func shutdown() async {
        commitPending()
        if trap != nil, let context {
            // Nobody follows new listeners once the daemon is gone: the trap goes, the bans stay.
            do { try install(context, trap: nil) } catch { logger.error("nftables: cannot remove the kernel ban rules: \(error)") }
        }
        writeState(force: true)
        journal?.close()
        context = nil
        expirySink.finish()
    }

    // MARK: Queries (no await, O(1) where it matters)

    /// Whether a host or prefix ban covers `address` and has not expired: the daemon's
    /// already-blocked check (one lookup per prefix length in use).
    public nonisolated func isBanned(_ address: IPAddress) -> Bool {
        let now = clock()
        return shared.withLock { $0.book.isBanned(address, at: now) }
    }

    public nonisolated func liveBan(covering address: IPAddress) -> Ban? {
        let now = clock()
        return shared.withLock { $0.book.covering(address) }.flatMap { $0.isLive(at: now) ? $0 : nil }
    }

    /// The live bans, sorted by target.
    public nonisolated func bans() -> [Ban] {
        let now = clock()
        return shared.withLock { $0.book.all.filter { $0.isLive(at: now) } }.sorted { $0.target < $1.target }
    }

    /// Counts one more probe from an already banned source, on the ban that covers it.
    public nonisolated func recordHit(_ address: IPAddress) {
        shared.withLock { $0.book.recordHit(address) }
    }

    public nonisolated func metrics() -> BanMetrics {
        shared.withLock { state in
            var m = state.metrics
            m.live = [.inet: state.book.count(.inet), .inet6: state.book.count(.inet6)]
            return m
        }
    }

    func openContext() throws(NftError) -> any NftKernel {
        guard let context else { throw .closed }
        return context
    }
}
