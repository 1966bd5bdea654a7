import Dispatch
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
            importUnknownElements(ctx)
            watch(ctx)
            lookAtTrapSets(ctx)
            writeState(force: false)
        }
    }

    /// Drops expired bans from the table and reports them (the kernel removes them by itself).
    func reapExpired() {
        let cutoff = clock() - NftablesBackend.expiryGraceMs
        let expired = shared.withLock { $0.book.removeExpired(at: cutoff) }
        for ban in expired.sorted(by: { $0.target < $1.target }) {
            expirySink.yield(BanRelease(target: ban.target, reason: .expired))
        }
        if !expired.isEmpty { stateDirty = true }
    }

    /// Writes the state file when bans changed or the last write failed (at most once per
    /// interval, and not while the last write is still queued), or when it has gone missing;
    /// `force` writes now.
    func writeState(force: Bool) {
        guard let stateFile else { return }
        let now = clock()
        var missing = false
        if !force, !stateDirty, !stateWriteFailing.load(ordering: .relaxed) {
            var st = stat()
            missing = stat(stateFile.path, &st) != 0 && errno == ENOENT
            guard missing else { return }
        }
        guard force || missing || now - lastStateWrite >= NftablesBackend.stateWriteIntervalMs else { return }
        guard force || !stateWriteQueued.exchange(true, ordering: .acquiring) else { return }
        let live = shared.withLock { $0.book.all.filter { $0.isLive(at: now) } }
        stateDirty = false
        lastStateWrite = now
        let covered = journal?.checkpoint()
        let write: @Sendable () -> Void = { [self] in
            do {
                try stateFile.write(live)
                if let covered { journal?.discard(before: covered) }
                stateWriteFailing.store(false, ordering: .relaxed)
            } catch {
                if !stateWriteFailing.exchange(true, ordering: .relaxed) { logger.error("\(error)") }
            }
            if !force { stateWriteQueued.store(false, ordering: .releasing) }
        }
        // Writes keep their order on the serial queue; shutdown's forced write waits for all.
        if force { stateWriter.sync(execute: write) } else { stateWriter.async(execute: write) }
    }

    /// Start-up: the state file, with its journal replayed over it, is the record of the bans
    /// and their expiry; each ban still running is put in the kernel over netlink in one pass,
    /// which leaves an element the kernel still holds as it is (a restart) and brings back one
    /// it lost (a reboot, a flushed ruleset) with its remaining time. Nothing is listed: a dump
    /// of 100,000 elements costs the kernel ~0.7 s. The table's sets are read before the
    /// install, so the prefix sets of an earlier run keep their rules; a length only the record
    /// has gets its set once the record is read. Elements the kernel holds beyond the record
    /// (its own bans after the last write before a crash, adds by hand) are learned on the first
    /// tick — only when a set's element count differs, a trap set holds any, or the kernel
    /// gives no counts (Linux 6.1).
    func reconcile(_ ctx: any NftKernel, saved: () -> [Ban]) throws(NftError) {
        let started = clock()
        prefixSets.formUnion((try? ctx.shape(of: layout.table))?.sets.keys.compactMap(layout.prefixLength(ofSet:)) ?? [])
        try install(ctx)   // while the state file is read
        var kept = saved()
        let recorded = kept.count
        let now = clock()
        // The bans still running (dropped in place: a copy of 100,000 bans costs more than the
        // look), then longest first where a family's sets have no room for all of them.
        kept.removeAll { b in b.expiresAt.map { $0 - now <= NftablesBackend.expiryGraceMs } ?? false }
        var inet = 0, inet6 = 0, lengths = Set<PrefixLength>()
        for ban in kept {
            if ban.family == .inet { inet += 1 } else { inet6 += 1 }
            if !ban.target.isHost { lengths.insert(PrefixLength(ban.target)) }
        }
        var dropped = 0
        if max(inet, inet6) > layout.setSize {   // rare: copied only then
            let live = Dictionary(grouping: kept, by: \.family)
            kept = []
            for (_, bans) in live {
                let fit = bans.count <= layout.setSize ? bans
                    : Array(bans.sorted { ($0.expiresAt ?? .max) > ($1.expiresAt ?? .max) }.prefix(layout.setSize))
                dropped += bans.count - fit.count
                kept += fit
            }
            lengths = Set(kept.lazy.filter { !$0.target.isHost }.map { PrefixLength($0.target) })
        }
        // Lengths the record has and the table lacked.
        try ensurePrefixSets(lengths, ctx)
        let before = banSets.map { ctx.elementCount(table: layout.table, set: layout.setName($0)) }
        // The ban table is built on another core while the kernel takes the elements (~0.04 s
        // and ~0.13 s for 100,000 bans).
        let built = Mutex<BanBook?>(nil), done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { [kept] in
            let book = BanBook(restoring: kept)
            built.withLock { $0 = book }
            done.signal()
        }
        let putBackResult = Result { () throws(NftError) in try putBack(ctx, kept, at: now) }
        done.wait()
        try putBackResult.get()
        let book = built.withLock { $0.take()! }
        let after = banSets.map { ctx.elementCount(table: layout.table, set: layout.setName($0)) }
        let total = { (counts: [Int?]) in counts.contains(nil) ? nil : counts.reduce(0) { $0 + $1! } }
        if let b = total(before), let a = total(after), a > b {
            logger.notice("nftables: restored \(a - b) bans from \(stateFile?.path ?? "the state file")")
        }
        if dropped > 0 {
            logger.warning("nftables: \(dropped) bans from the state file do not fit in NFT_SET_SIZE=\(layout.setSize) and were dropped")
        }
        let complete = zip(banSets, after).allSatisfy { set, n in n == book.count(set) }
            && AddressFamily.allCases.allSatisfy { ctx.elementCount(table: layout.table, set: layout.trapSetName($0)) == 0 }
        importPendingSince = complete ? nil : started
        shared.withLock { $0.book = book }
        ledger.reset(to: ctx.generation())
        nextFullCheck = now + NftablesBackend.fullCheckIntervalMs
        // The file and its journal hold these bans already; the file is written again only if
        // some were left out. Otherwise a checkpoint opens this run's journal segment (appends
        // need one); the segments replayed stay until the next write covers them.
        if kept.count != recorded {
            stateDirty = true
            writeState(force: false)
        } else {
            _ = journal?.checkpoint()
        }
    }

    /// Reads the state file and replays its journal over it on the state queue while the caller
    /// goes on; the closure returned waits for the bans (the journal's alone, with an error
    /// logged, when the file is unreadable).
    func readStateInBackground() -> () -> [Ban] {
        guard let stateFile else { return { [] } }
        let result = Mutex<[Ban]>([])
        let logger = self.logger
        stateWriter.async {
            var saved: [Ban] = []
            do {
                saved = try stateFile.read()
            } catch {
                logger.error("ignoring the state file: \(error)")
            }
            let replayed = BanJournal.replay(saved, statePath: stateFile.path)
            if replayed.skipped > 0 { logger.warning("ban journal: skipped \(replayed.skipped) unreadable lines (a write cut short by a crash)") }
            result.withLock { $0 = replayed.bans }
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
