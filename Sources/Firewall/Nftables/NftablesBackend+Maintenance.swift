import Glibc
import PortsentryCore
import Synchronization

extension NftablesBackend {
    /// How often maintenance runs: expiry reports, the table watchdog, state-file writes.
    static let maintenanceIntervalMs = 250
    /// A ban stays in the table this long past its expiry, so a re-ban in that window still
    /// takes the refresh path while the kernel may not have dropped the element yet.
    static let expiryGraceMs: Int64 = 1000
    /// The state file is rewritten at most this often while bans change.
    static let stateWriteIntervalMs: Int64 = 1000

    /// Expiry reports, eviction warnings, the watchdog and state-file writes, every 250 ms until
    /// the calling task is cancelled (or the backend shut down).
    public func maintain() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(NftablesBackend.maintenanceIntervalMs))
            guard !Task.isCancelled, let ctx = context else { return }
            reapExpired()
            for family in AddressFamily.allCases { reportEvictions(family) }
            watch(ctx)
            writeState(force: false)
        }
    }

    /// Drops expired bans from the table and reports them (the kernel removes them by itself).
    func reapExpired() {
        let cutoff = clock() - NftablesBackend.expiryGraceMs
        let expired = shared.withLock { $0.book.removeExpired(at: cutoff) }
        for ban in expired.sorted(by: { $0.address < $1.address }) {
            expirySink.yield(BanRelease(address: ban.address, reason: .expired))
        }
        if !expired.isEmpty { stateDirty = true }
    }

    /// Writes the state file when bans changed (at most once per interval) or when it has gone
    /// missing; `force` writes now.
    func writeState(force: Bool) {
        guard let stateFile else { return }
        let now = clock()
        var missing = false
        if !force, !stateDirty {
            var st = stat()
            missing = stat(stateFile.path, &st) != 0 && errno == ENOENT
            guard missing else { return }
        }
        guard force || missing || now - lastStateWrite >= NftablesBackend.stateWriteIntervalMs else { return }
        let live = shared.withLock { $0.book.bans.values.filter { $0.isLive(at: now) } }
        stateDirty = false
        lastStateWrite = now
        let write: @Sendable () -> Void = { [self] in
            do {
                try stateFile.write(live)
                stateWriteFailing.store(false, ordering: .relaxed)
            } catch {
                if !stateWriteFailing.exchange(true, ordering: .relaxed) { logger.error("\(error)") }
            }
        }
        // Writes keep their order on the serial queue; shutdown's forced write waits for all.
        if force { stateWriter.sync(execute: write) } else { stateWriter.async(execute: write) }
    }

    /// Start-up: the kernel sets are the truth for what is live (read over netlink, with the
    /// time left in milliseconds); `saved` (the state file, read meanwhile on another thread)
    /// adds the origin details and brings back bans the kernel lost, with their remaining time.
    func reconcile(_ ctx: any NftKernel, saved: () -> [Ban]) throws(NftError) {
        var held: [AddressFamily: [NftElement]] = [:]
        for f in AddressFamily.allCases {
            held[f] = try ctx.elements(table: layout.table, set: layout.setName(f)) ?? []
        }
        let now = clock()
        var records: [IPAddress: Ban] = [:]
        let fromFile = saved()
        records.reserveCapacity(fromFile.count)
        for b in fromFile { records[b.address] = b }
        var book = BanBook()
        book.reserve(held.values.reduce(0) { $0 + $1.count } + records.count)
        for e in held.values.joined() {
            let old = records.removeValue(forKey: e.address)
            book.put(Ban(address: e.address, expiresAt: e.timeLeftMs.map { now + Int64($0) }, origin: old?.origin,
                         since: old?.since, hits: old?.hits ?? 0))
        }
        // Bans the kernel lost, longest first, as many as the sets have room for.
        var back: [Ban] = [], dropped = 0
        let lost = Dictionary(grouping: records.values.filter { b in b.expiresAt.map { $0 - now > NftablesBackend.expiryGraceMs } ?? true },
                              by: \.family)
        for (family, bans) in lost {
            let room = max(0, layout.setSize - book.count(family))
            back += bans.count <= room ? bans : Array(bans.sorted { ($0.expiresAt ?? .max) > ($1.expiresAt ?? .max) }.prefix(room))
            dropped += max(0, bans.count - room)
        }
        if !back.isEmpty {
            try transact(ctx, layout.addElements(back.map { ($0.address, $0.timeLeftMs(at: now).map { UInt64($0) }) }))
            for b in back { book.put(b) }
            logger.notice("nftables: restored \(back.count) bans from \(stateFile?.path ?? "the state file")")
        }
        if dropped > 0 {
            logger.warning("nftables: \(dropped) bans from the state file do not fit in NFT_SET_SIZE=\(layout.setSize) and were dropped")
        }
        shared.withLock { $0.book = book }
        ledger.reset(to: ctx.generation())
        lastFullCheck = now
        // Written off this thread: the file on disk already holds every ban it had.
        stateDirty = true
        writeState(force: false)
    }

    /// Reads the state file on the state queue while the caller goes on; the closure returned
    /// waits for the bans (none, with an error logged, when the file is unreadable).
    func readStateInBackground() -> () -> [Ban] {
        guard let stateFile else { return { [] } }
        let result = Mutex<[Ban]>([])
        let logger = self.logger
        stateWriter.async {
            do {
                let bans = try stateFile.read()
                result.withLock { $0 = bans }
            } catch {
                logger.error("ignoring the state file: \(error)")
            }
        }
        return { [stateWriter] in
            stateWriter.sync {}
            return result.withLock { r in
                defer { r = [] }
                return r
            }
        }
    }
}
