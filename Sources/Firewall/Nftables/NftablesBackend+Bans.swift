import PortsentryCore

/// Ban requests waiting for the next commit, with the caller to resume.
struct PendingBans {
    var requests: [BanRequest]
    var reply: CheckedContinuation<[Result<BanOutcome, NftError>], Never>
}

extension NftablesBackend {
    /// Bans `address` for `seconds` (0 = no expiry, nil = BAN_TIME); a banned source gets its
    /// timeout refreshed. Returns once the kernel has committed the transaction holding it.
    public func ban(_ address: IPAddress, seconds: UInt64? = nil, origin: BanOrigin? = nil) async throws(NftError) -> BanOutcome {
        try await ban(CIDR(host: address), seconds: seconds, origin: origin)
    }

    /// Bans `target`, a host or a prefix, the same way.
    public func ban(_ target: CIDR, seconds: UInt64? = nil, origin: BanOrigin? = nil) async throws(NftError) -> BanOutcome {
        try await ban([BanRequest(target, seconds: seconds, origin: origin)])[0].get()
    }

    /// Bans many sources in one transaction (together with whatever else is queued); one result
    /// per request, in order.
    public func ban(_ requests: [BanRequest]) async -> [Result<BanOutcome, NftError>] {
        guard context != nil else { return requests.map { _ in .failure(.closed) } }
        guard !requests.isEmpty else { return [] }
        return await withCheckedContinuation { reply in
            pending.append(PendingBans(requests: requests, reply: reply))
            if !commitScheduled {
                commitScheduled = true
                // Runs after the calls already queued on this actor: idle → at once, load → batched.
                Task { self.commitPending() }
            }
        }
    }

    /// `ban(_:)` for a caller on a dedicated thread of its own (the daemon's pipeline): the batch
    /// is committed with whatever is queued, in one transaction, and the calling thread waits.
    /// On the backend's own thread (work from `schedule`) it commits in place; from any other
    /// thread it hands the batch over and waits. Never call it from the cooperative pool.
    public nonisolated func banBlocking(_ requests: [BanRequest]) -> [Result<BanOutcome, NftError>] {
        guard !requests.isEmpty else { return [] }
        let commit: @Sendable () -> [Result<BanOutcome, NftError>] = {
            self.assumeIsolated { banner in
                guard banner.context != nil else { return requests.map { _ in .failure(NftError.closed) } }
                return banner.commitPending(with: requests)
            }
        }
        return executor.isCurrentThread ? commit() : executor.runBlocking(commit)
    }

    /// Runs `work` on the backend's thread, after what is queued there. Inside it,
    /// `banBlocking` commits without a thread switch.
    public nonisolated func schedule(_ work: @escaping @Sendable () -> Void) {
        executor.schedule(work)
    }

    /// Unbans, in one transaction, every ban inside `targets` (hosts or networks) and every
    /// prefix ban that contains one (an address inside a banned /64 lifts the /64); returns the
    /// bans lifted. A target is removed from the kernel set even when the ban table does not
    /// know it (an element added by hand), and the kernel trap's sets lose the hosts inside the
    /// bans lifted. Elements the kernel already expired do not fail the transaction: each delete
    /// follows an add of the same element.
    public func unban(_ targets: [CIDR]) throws(NftError) -> [CIDR] {
        commitPending()
        let ctx = try openContext()
        var elements = Set(targets.filter { $0.isHost || prefixSets.contains(PrefixLength($0)) })
        shared.withLock { state in for t in targets { elements.formUnion(state.book.overlapping(t)) } }
        removeFromTrapSets(Array(elements.union(targets)), ctx)
        guard !elements.isEmpty else { return [] }
        let list = Array(elements)
        removeFromKernel(list, ctx)
        let removed = shared.withLock { state in list.compactMap { state.book.remove($0)?.target } }
        if !removed.isEmpty { stateDirty = true; journal?.lifted(removed) }
        return removed.sorted()
    }

    /// How long after a prefix ban the kernel trap may still have banned hosts inside it on its
    /// own: the prefix rule comes before the trap's, so only probes that raced the commit
    /// (~0.2 ms) can have; a second is plenty.
    static let kernelRaceMs: Int64 = 1000

    /// Hosts the kernel trap banned on their own (KERNEL_BAN) that a prefix ban made within
    /// `kernelRaceMs` covers: their elements leave the trap set, so that the prefix is the one
    /// ban that holds them. Others are left alone.
    func foldKernelBans(_ hosts: [IPAddress]) {
        guard let ctx = context, !hosts.isEmpty else { return }
        let now = clock()
        let strays = shared.withLock { state in
            let book = state.book
            return Set(hosts.map(\.unmapped).filter { host in
                guard let ban = book.covering(host), !ban.target.isHost, let since = ban.since else { return false }
                return now - since < NftablesBackend.kernelRaceMs
            })
        }
        if !strays.isEmpty { removeFromTrapSets(strays.map(CIDR.init(host:)), ctx) }
    }

    /// A few hosts are deleted one transaction each; more, or a network, read the trap sets first.
    static let trapDeleteLimit = 16

    /// Deletes from the kernel trap's sets every element inside `targets`, without ever adding
    /// to them (`NftLayout.trapSetName`): up to `trapDeleteLimit` hosts one delete each, a missing
    /// one ignored; otherwise the families' trap sets are read and the elements inside deleted in
    /// one transaction (one at a time if an element expired meanwhile).
    func removeFromTrapSets(_ targets: [CIDR], _ ctx: any NftKernel) {
        guard !targets.isEmpty else { return }
        if targets.count <= NftablesBackend.trapDeleteLimit, targets.allSatisfy(\.isHost) {
            for t in targets { _ = try? transact(ctx, layout.deleteTrapElements([t.network])) }
            return
        }
        var inside: [IPAddress] = []
        for family in Set(targets.map(\.family)) {
            let set = layout.trapSetName(family)
            guard ctx.elementCount(table: layout.table, set: set) != 0,
                  let held = (try? ctx.elements(table: layout.table, set: set)) ?? nil else { continue }
            let group = targets.filter { $0.family == family }
            let hosts = Set(group.filter(\.isHost).map(\.network)), networks = group.filter { !$0.isHost }
            inside += held.map(\.address).filter { a in hosts.contains(a) || networks.contains { $0.contains(a) } }
        }
        guard !inside.isEmpty else { return }
        if (try? transact(ctx, layout.deleteTrapElements(inside))) == nil {
            for a in inside { _ = try? transact(ctx, layout.deleteTrapElements([a])) }
        }
    }

    /// Deletes elements that may be missing: each delete follows an add of the same element;
    /// when that fails (a full set refuses the add), one delete at a time, a missing one ignored.
    private func removeFromKernel(_ elements: [CIDR], _ ctx: any NftKernel) {
        do {
            try transact(ctx, layout.removeElements(elements))
        } catch {
            for t in elements { _ = try? transact(ctx, layout.deleteElements([t])) }
        }
    }

    /// Removes every ban (every set emptied in one transaction); returns the bans that were held.
    public func flushSets() throws(NftError) -> [CIDR] {
        commitPending()
        try transact(openContext(), layout.flushSets(prefixes: prefixSets))
        let removed = shared.withLock { $0.book.removeAll().map(\.target) }
        if !removed.isEmpty { stateDirty = true; journal?.lifted(removed) }
        return removed.sorted()
    }

    /// The most bans in one libnftables transaction.
    static let transactionLimit = 8192

    /// Commits every queued request, plus `extra`, in one transaction (one per `transactionLimit`
    /// bans); resumes the queued callers and returns the results of `extra`.
    @discardableResult
    func commitPending(with extra: [BanRequest] = []) -> [Result<BanOutcome, NftError>] {
        commitScheduled = false
        let batch = pending
        pending = []
        guard !batch.isEmpty || !extra.isEmpty else { return [] }
        // One slot per distinct target; the last request for a target wins.
        var slotOf: [CIDR: Int] = [:]
        var unique: [BanRequest] = []
        var slots: [Int] = []
        let groups = batch.map(\.requests) + [extra]
        let total = groups.reduce(0) { $0 + $1.count }
        slotOf.reserveCapacity(total); unique.reserveCapacity(total); slots.reserveCapacity(total)
        for group in groups {
            for r in group {
                if let s = slotOf[r.target] {
                    unique[s] = r; slots.append(s)
                } else {
                    slotOf[r.target] = unique.count; slots.append(unique.count); unique.append(r)
                }
            }
        }
        // At most `transactionLimit` bans a transaction: a flood's batch of 65,536 in one buffer
        // costs libnftables several times the memory for no gain in speed (performance.md).
        let limit = NftablesBackend.transactionLimit
        let results = stride(from: 0, to: unique.count, by: limit).flatMap { commit(Array(unique[$0..<min($0 + limit, unique.count)])) }
        var i = 0
        for group in batch {
            let n = group.requests.count
            group.reply.resume(returning: slots[i..<i + n].map { results[$0] })
            i += n
        }
        return slots[i...].map { results[$0] }
    }

    /// One transaction for `requests` (distinct targets), after the install of any prefix set
    /// they need; on failure, repairs a table someone changed and retries, or falls back to one
    /// transaction per target. One result per request.
    private func commit(_ requests: [BanRequest]) -> [Result<BanOutcome, NftError>] {
        guard let ctx = context else { return requests.map { _ in .failure(.closed) } }
        var plan = BanPlan(layout: layout, now: clock(), defaultSeconds: defaultSeconds)
        shared.withLock { plan.classify(requests, book: &$0.book) }
        var results = [Result<BanOutcome, NftError>](repeating: .failure(.closed), count: requests.count)
        for (slot, family) in plan.full { results[slot] = .success(.setFull(family)) }
        noteSetFull(plan.full.map(\.family))
        guard !plan.isEmpty else { return results }

        do { try ensurePrefixSets(plan.prefixLengths, ctx) } catch {
            logger.debug("nftables: cannot add the prefix sets \(plan.prefixLengths.sorted()): \(error)")
        }
        var committed = (try? transact(ctx, plan.script)) != nil
        if !committed, watch(ctx) {
            committed = (try? transact(ctx, plan.script)) != nil
        }
        if committed {
            apply(plan.items, at: plan.now)
            for item in plan.items { results[item.slot] = .success(item.outcome(at: plan.now)) }
            return results
        }
        logger.debug("nftables: a batch of \(plan.items.count) bans failed; retrying one by one")
        // Once the kernel finds a family's set full for one new ban in spite of an eviction, the
        // batch's other new bans of that family are refused without a transaction each.
        // (the set holds more than the ban table knows of: elements added behind our back).
        var full: Set<AddressFamily> = []
        for item in plan.items {
            let family = item.ban.family
            if full.contains(family), !item.refresh {
                if let victim = item.evicts { shared.withLock { $0.book.put(victim) } }
                noteSetFull([family])
                results[item.slot] = .success(.setFull(family))
                continue
            }
            results[item.slot] = commitAlone(item, of: plan, ctx)
            if case .success(.setFull) = results[item.slot] { full.insert(family) }
        }
        return results
    }

    /// One item of a failed batch in a transaction of its own. When the kernel finds the set full
    /// although the table has room (elements added behind our back), one ban is evicted and the
    /// item tried once more. A ban evicted for an item that does not commit comes back.
    private func commitAlone(_ item: BanPlan.Item, of plan: BanPlan, _ ctx: any NftKernel) -> Result<BanOutcome, NftError> {
        var item = item
        while true {
            do {
                try transact(ctx, BanPlan.script(for: [item], layout: layout))
                apply([item], at: plan.now)
                return .success(item.outcome(at: plan.now))
            } catch {
                let full: Bool
                if case .commandFailed(let text) = error { full = NftablesBackend.isSetFull(text) } else { full = false }
                if full, !item.refresh, item.evicts == nil,
                   let victim = shared.withLock({ $0.book.evict(1, of: item.ban.family, sparing: plan.targets).first }) {
                    item.evicts = victim
                    continue
                }
                if let victim = item.evicts { shared.withLock { $0.book.put(victim) } }
                guard full else { return .failure(error) }
                noteSetFull([item.ban.family])
                return .success(.setFull(item.ban.family))
            }
        }
    }

    /// A full set makes the kernel answer ENFILE ("Too many open files in system").
    static func isSetFull(_ message: String) -> Bool {
        message.contains("Too many open files in system") || message.contains("No space left")
    }

    /// Records committed bans in the table and counters (their evicted bans left the table in
    /// `classify`), and counts the evictions for the once-a-minute warning.
    private func apply(_ items: [BanPlan.Item], at now: Int64) {
        var evicted: [AddressFamily: Int] = [:]
        shared.withLock { state in
            state.book.reserve(items.count)
            for item in items {
                state.book.put(item.ban)
                if item.refresh { state.metrics.refreshes += 1 } else { state.metrics.totalBans += 1 }
                if let victim = item.evicts, victim.isLive(at: now) { evicted[victim.family, default: 0] += 1 }
            }
            state.metrics.banTransactions += 1
            state.metrics.evictions += evicted.values.reduce(0, +)
        }
        journal?.lifted(items.compactMap { $0.evicts?.target })   // before the bans: an evicted entry may be re-banned
        journal?.banned(items.map(\.ban))
        for f in Set(items.lazy.filter { !$0.refresh }.map(\.ban.family)) { setFullLogged.remove(f) }
        for (family, n) in evicted { reportEvictions(family, adding: n) }
        stateDirty = true
    }

    /// The warning about evictions from a full set: at the first, then at most once a minute
    /// with the number since the last one (`maintain` reports what is left after a flood).
    func reportEvictions(_ family: AddressFamily, adding n: Int = 0) {
        guard let count = evictionReports[family, default: ReportTally(interval: 60_000)].add(n, at: clock()) else { return }
        logger.warning("nftables set inet \(layout.table) \(layout.setName(family)) is full (NFT_SET_SIZE=\(layout.setSize)): bans evicted to make room for new ones (closest to expiry first): \(count)")
    }

    private func noteSetFull(_ families: [AddressFamily]) {
        guard !families.isEmpty else { return }
        shared.withLock { $0.metrics.setFullEvents += families.count }
        for f in Set(families) where !setFullLogged.contains(f) {
            setFullLogged.insert(f)
            logger.warning("nftables set inet \(layout.table) \(layout.setName(f)) is full (NFT_SET_SIZE=\(layout.setSize)) and no ban could be evicted; new sources are not blocked")
        }
    }
}
