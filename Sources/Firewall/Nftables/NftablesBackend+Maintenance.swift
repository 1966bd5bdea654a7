import Glibc
import PortsentryCore

extension NftablesBackend {
    /// How often maintenance runs: expiry reports, the table watchdog, state-file writes.
    static let maintenanceIntervalMs = 250
    /// A ban stays in the table this long past its expiry, so a re-ban in that window still
    /// takes the refresh path while the kernel may not have dropped the element yet.
    static let expiryGraceMs: Int64 = 1000
    /// The state file is rewritten at most this often while bans change.
    static let stateWriteIntervalMs: Int64 = 1000

    /// Expiry reports, eviction warnings, the table watchdog and state-file writes, every 250 ms until the calling
    /// task is cancelled (or the backend shut down).
    public func maintain() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(NftablesBackend.maintenanceIntervalMs))
            guard !Task.isCancelled, let ctx = context else { return }
            reapExpired()
            for family in AddressFamily.allCases { reportEvictions(family) }
            if !tablePresent() { restore(ctx) }
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

    /// Whether our table and chain exist, asked straight over netlink (a libnftables command
    /// would first fetch every set element). When netlink cannot say, the answer is "no", and
    /// `restore` reinstalls what is missing (idempotent).
    func tablePresent() -> Bool {
        context?.chainExists(table: layout.table, chain: layout.chain) ?? false
    }

    /// Reinstalls the table and puts back every live ban with its remaining time, in one transaction.
    func restore(_ ctx: any NftKernel) {
        let now = clock()
        let live = shared.withLock { $0.book.bans.values.filter { $0.isLive(at: now) } }
        let elements = live.map { ($0.target, $0.timeLeftMs(at: now).map { UInt64($0) }) }
        do {
            try install(ctx, extra: layout.addElements(elements))
            shared.withLock { $0.metrics.restores += 1 }
            failureLogged.remove(.restore)
            logger.warning("nftables table inet \(layout.table) was missing or incomplete; restored it with \(live.count) live bans")
        } catch {
            if failureLogged.insert(.restore).inserted {
                logger.error("nftables: cannot restore table inet \(layout.table) (retrying every \(NftablesBackend.maintenanceIntervalMs) ms): \(error)")
            }
        }
    }

    /// Writes the state file when bans changed or the last write failed (at most once per
    /// interval), or when it has gone missing; `force` writes now.
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
        let live = shared.withLock { $0.book.bans.values.filter { $0.isLive(at: now) } }
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
        }
        // Writes keep their order on the serial queue; shutdown's forced write waits for all.
        if force { stateWriter.sync(execute: write) } else { stateWriter.async(execute: write) }
    }

    /// Start-up: the kernel sets are the truth for what is live; the state file adds the origin
    /// details and brings back bans the kernel lost, with their remaining time. The table is read
    /// before it is installed, so the prefix sets of an earlier run keep their rules.
    func reconcile(_ ctx: any NftKernel) throws(NftError) {
        let now = clock()
        var saved: [CIDR: Ban] = [:]
        if let stateFile {
            do {
                for b in try stateFile.read() { saved[b.target] = b }
            } catch {
                logger.error("ignoring the state file: \(error)")
            }
            let replayed = BanJournal.replay(saved, statePath: stateFile.path)
            saved = replayed.bans
            if replayed.skipped > 0 { logger.warning("ban journal: skipped \(replayed.skipped) unreadable lines (a write cut short by a crash)") }
        }
        let before = try? ctx.list(layout.listTable)   // nil: no table yet
        prefixSets.formUnion(saved.keys.filter { !$0.isHost }.map(PrefixLength.init))
        for set in before?.objects.compactMap(\.set) ?? [] {
            if let p = layout.prefixLength(ofSet: set.name) { prefixSets.insert(p) }
        }
        try install(ctx)
        let listing: NftListing
        if let before { listing = before } else { listing = try ctx.list(layout.listTable) }
        var book = BanBook()
        for set in listing.objects.compactMap(\.set) {
            let length: Int
            if let p = layout.prefixLength(ofSet: set.name) { length = p.length }
            else if let f = AddressFamily.allCases.first(where: { layout.setName($0) == set.name }) { length = f.width }
            else { continue }
            for e in set.elem ?? [] {
                guard let address = IPAddress(e.value), length <= address.family.width else { throw .malformedOutput("set element \"\(e.value)\"") }
                let target = CIDR(address: address, prefixLength: length)
                let old = saved.removeValue(forKey: target)
                let expiresAt = e.timeout == nil ? nil : now + Int64(e.expires ?? 0) * 1000
                book.put(Ban(target: target, expiresAt: expiresAt, origin: old?.origin, since: old?.since, hits: old?.hits ?? 0))
            }
        }
        // Bans the kernel lost, longest first, as many as the sets have room for.
        let lost = saved.values.filter { b in b.expiresAt.map { $0 - now > NftablesBackend.expiryGraceMs } ?? true }
            .sorted { ($0.expiresAt ?? .max) > ($1.expiresAt ?? .max) }
        var room = [AddressFamily.inet: layout.setSize - book.count(.inet), .inet6: layout.setSize - book.count(.inet6)]
        let back = lost.filter { b in
            guard room[b.family, default: 0] > 0 else { return false }
            room[b.family, default: 0] -= 1
            return true
        }
        if !back.isEmpty {
            try ctx.run(layout.addElements(back.map { ($0.target, $0.timeLeftMs(at: now).map { UInt64($0) }) }))
            for b in back { book.put(b) }
            logger.notice("nftables: restored \(back.count) bans from \(stateFile?.path ?? "the state file")")
        }
        if back.count < lost.count {
            logger.warning("nftables: \(lost.count - back.count) bans from the state file do not fit in NFT_SET_SIZE=\(layout.setSize) and were dropped")
        }
        shared.withLock { $0.book = book }
        stateDirty = true
        writeState(force: true)
    }
}
