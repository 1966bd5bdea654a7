import Logging
import PortsentryCore
import Synchronization

/// The daemon's memory of bans, for escalation and `portsentry-ctl explain`: it follows every ban
/// event (an observer of the ban service), answers the ban policy's offence queries, and keeps
/// its records in the ledger file next to STATE_FILE, written at most once a second and at shutdown.
public final class BanLedger: BanObserver, OffenceHistory {
    private let memory: Mutex<BanMemory>
    private let dirty = Atomic<Bool>(false)
    /// Failed writes are retried every second but logged once (a full disk), and once more when they work again.
    private let health = Mutex(WriteHealth())
    /// nil: kept in memory only (no STATE_FILE).
    public let file: BanLedgerFile?
    private let logger: Logger

    /// Loads `file` (skipping, with a warning each, the lines it cannot read).
    public init(file: BanLedgerFile?, memorySeconds: UInt64, capacity: Int = BanMemory.defaultCapacity, logger: Logger,
                now: Int64 = WallClock.nowMs()) {
        self.file = file
        self.logger = logger
        var memory = BanMemory(capacity: capacity, memorySeconds: memorySeconds)
        if let contents = file?.read() {
            for problem in contents.problems { logger.warning("\(problem)") }
            for record in contents.records { memory.restore(record, at: now) }
        }
        self.memory = Mutex(memory)
    }

    /// OFFENCE_MEMORY changed (reload).
    public func update(memorySeconds: UInt64) { memory.withLock { $0.memorySeconds = memorySeconds } }

    /// What is remembered of `target` at `now`.
    public func record(of target: CIDR, at now: Int64 = WallClock.nowMs()) -> BanRecord? {
        memory.withLock { $0.record(of: target, at: now) }
    }

    public func priorOffences(of target: CIDR, at now: Int64) -> Int {
        memory.withLock { $0.priorOffences(of: target, at: now) }
    }

    public func observe(_ event: BanEvent) {
        let now = WallClock.nowMs()
        switch event {
        case .applied(let result):
            guard result.succeeded else { return }
            let expiresAt = result.ban.map(\.expiresAt) ?? nil
            memory.withLock { m in
                if result.refreshed, m.record(of: result.decision.target, at: now) != nil {
                    m.renewed(result.decision.target, expiresAt: expiresAt)
                } else {
                    m.banned(result.decision, expiresAt: expiresAt)
                }
            }
        case .released(let release):
            memory.withLock { $0.ended(release.target, reason: release.reason, at: now) }
        case .refused:
            return
        }
        dirty.store(true, ordering: .relaxed)
    }

    /// Writes the file if something changed since the last write.
    public func save() {
        guard let file, dirty.exchange(false, ordering: .relaxed) else { return }
        let records = memory.withLock { $0.records }
        var failure: Int32?
        do {
            try file.write(records)
        } catch {
            dirty.store(true, ordering: .relaxed)
            failure = error.code
        }
        guard let report = health.withLock({ $0.record("ban ledger \(file.path)", errno: failure) }) else { return }
        logger.log(report)
    }

    /// Saves once a second until the calling task is cancelled, then a last time.
    public func maintain() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            save()
        }
        save()
    }
}
