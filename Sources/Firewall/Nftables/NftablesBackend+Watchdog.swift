import PortsentryCore

/// The watchdog (docs/nftables.md, "Drift"): enforcement is never silently off. Every tick, and
/// before the daemon trusts its ban table for a batch of events, the backend reads over netlink
/// (no libnftables cache fill) the ruleset generation and our table's chains, rules and sets,
/// and compares them with what its own last install left (`NftTableShape`). When someone else
/// committed (`NftGenerationLedger`), or the structure drifted, it also compares the sets'
/// elements with the ban table. Any drift is logged once and repaired: the table reinstalled,
/// missing bans put back with their remaining time.
extension NftablesBackend {
    /// A full comparison of the elements also runs this often, whatever the generation says.
    static let fullCheckIntervalMs: Int64 = 60_000
    /// The longest tick of the kernel's clock (HZ=100), which element timeouts are counted in.
    static let kernelTickMs: Int64 = 10

    /// Runs one transaction of ours, reading the generation right before and after it, so that
    /// the watchdog can tell its steps from someone else's.
    func transact(_ ctx: any NftKernel, _ script: String) throws(NftError) {
        ledger.beforeOwn(ctx.generation())
        do {
            try ctx.run(script)
        } catch {
            ledger.afterOwn(ctx.generation(), committed: false)
            throw error
        }
        ledger.afterOwn(ctx.generation(), committed: true)
    }

    /// Puts `bans` in the kernel over netlink with their remaining time at `now` (one
    /// transaction per `NfNetlink.batchLimit` and set; a prefix's element is its network
    /// address); an element the kernel holds stays.
    func putBack(_ ctx: any NftKernel, _ bans: [Ban], at now: Int64) throws(NftError) {
        // Grouped as elements in one pass (a copy of 100,000 bans costs more than their adds).
        // A few lengths at most: a list, the one the last ban used tried first (a table hashed
        // every ban).
        var groups: [(length: PrefixLength, items: [(address: IPAddress, timeoutMs: UInt64?)])] = []
        var current = 0
        for (i, ban) in bans.enumerated() {
            let length = PrefixLength(ban.target)
            if current == groups.count || groups[current].length != length {
                if let known = groups.firstIndex(where: { $0.length == length }) {
                    current = known
                } else {
                    groups.append((length, []))
                    current = groups.count - 1
                    groups[current].items.reserveCapacity(bans.count - i)
                }
            }
            groups[current].items.append((ban.target.network, ban.timeLeftMs(at: now).map(UInt64.init)))
        }
        for (length, items) in groups.sorted(by: { $0.length < $1.length }) {
            let sent = (items.count + NfNetlink.batchLimit - 1) / NfNetlink.batchLimit
            ledger.beforeOwn(ctx.generation())
            defer { ledger.afterOwn(ctx.generation(), transactions: sent) }
            try ctx.addElements(table: layout.table, set: layout.setName(length), items)
        }
    }

    /// Before the ban table answers "already banned" for a batch of events: when someone else
    /// committed since the last look, the watchdog runs now, so a source whose element was
    /// deleted is not trusted to be banned. One netlink round trip when nothing changed.
    public nonisolated func confirmBans() {
        assumeIsolated { backend in
            guard let ctx = backend.context else { return }
            backend.ledger.observe(ctx.generation())
            if backend.ledger.outsideChange { backend.watch(ctx) }
        }
    }

    /// One look: the structure every time; the elements after someone else's commit, after a
    /// structural repair, and every `fullCheckIntervalMs`. Logs each drift once, with what was
    /// repaired; returns whether it repaired anything.
    @discardableResult
    func watch(_ ctx: any NftKernel) -> Bool {
        ledger.observe(ctx.generation())
        let outside = ledger.takeOutsideChange()
        var drift: [String] = []
        do {
            let shape = try ctx.shape(of: layout.table)
            if let shape, let expectedShape {
                drift = shape.differences(from: expectedShape)
            } else if let shape {
                expectedShape = shape   // the install could not read it back
            } else {
                drift = ["the table is missing"]
            }
            if !drift.isEmpty {
                try install(ctx, replacingSets: shape.map { staleSets($0) } ?? [])
            }
            let now = clock()
            var restored = 0
            if outside || !drift.isEmpty || now >= nextFullCheck {
                let (missing, perSet) = try missingBans(ctx, at: now)
                if !missing.isEmpty {
                    try putBack(ctx, missing, at: now)
                    restored = missing.count
                    if drift.isEmpty { drift = perSet }
                }
            }
            failureLogged.remove(.restore)
            guard !drift.isEmpty else { return false }
            shared.withLock { $0.metrics.restores += 1 }
            let bans = restored == 0 ? "" : restored == 1 ? ", 1 ban put back with its remaining time" : ", \(restored) bans put back with their remaining time"
            logger.warning("nftables table inet \(layout.table) was changed behind portsentry's back (\(drift.joined(separator: "; "))); repaired it\(bans)")
            return true
        } catch {
            // Nothing certain: look again (elements included) at the next tick.
            ledger.observe(nil)
            if failureLogged.insert(.restore).inserted {
                logger.error("nftables: cannot check or repair table inet \(layout.table) (retrying every \(NftablesBackend.maintenanceIntervalMs) ms): \(error)")
            }
            return false
        }
    }

    /// Our sets whose flags, key or size someone changed (a set deleted and made anew): they are
    /// replaced, as nftables refuses to redeclare a set with other flags.
    private func staleSets(_ shape: NftTableShape) -> [String] {
        guard let expectedShape else { return [] }
        return expectedShape.sets.compactMap { name, want in shape.sets[name].map { $0 == want ? nil : name } ?? nil }
    }

    /// The live bans of the ban table that the kernel's sets (host and prefix sets) do not hold,
    /// and a line per set for the log. A set whose element count (when the kernel tells it)
    /// equals the ban table's is taken as complete; otherwise it is dumped, which costs ~0.7 s at
    /// 100,000 elements (the periodic check then waits 300 times as long before it dumps again).
    private func missingBans(_ ctx: any NftKernel, at now: Int64) throws(NftError) -> ([Ban], [String]) {
        var missing: [Ban] = [], lines: [String] = []
        var dumpMs: Int64 = 0
        for length in banSets {
            let set = layout.setName(length)
            let (bans, count) = shared.withLock { state in
                (state.book.all.filter { PrefixLength($0.target) == length }, state.book.count(length))
            }
            if let held = ctx.elementCount(table: layout.table, set: set), held == count { continue }
            let started = MonotonicClock.now()
            let held = try ctx.elements(table: layout.table, set: set) ?? []
            dumpMs += Int64((MonotonicClock.now() - started) / 1_000_000)
            let gone = NftablesBackend.missing(bans, kernel: held, at: now)
            if !gone.isEmpty {
                lines.append("\(gone.count) of \(bans.count) bans missing from set \(set)")
                missing += gone
            }
        }
        nextFullCheck = now + max(NftablesBackend.fullCheckIntervalMs, 300 * dumpMs)
        return (missing, lines)
    }

    /// Start-up, on the first tick: elements the kernel held that the state file did not know
    /// (added by hand to a host or a prefix set, or by an older version's kernel trap) join the
    /// ban table, without origin; so do the hosts in the trap sets (bans the kernel trap made
    /// while no daemon recorded them: after a crash, before the last probes were processed),
    /// banned in the ban sets for what is left of BAN_TIME since the trap's add. Only elements
    /// older than this start count: one the kernel trap added since is the daemon's to report
    /// when its probe is processed. An element's age is known to the kernel's tick
    /// (`kernelTickMs`), so one added just before the start is not taken for one added after it.
    func importUnknownElements(_ ctx: any NftKernel) {
        guard let since = importPendingSince else { return }
        let now = clock()
        let older = { (e: NftElement) -> Int64? in
            let age = e.timeoutMs.flatMap { t in e.timeLeftMs.map { Int64(t) - Int64($0) } } ?? .max
            return age > now - since - NftablesBackend.kernelTickMs ? age : nil
        }
        do {
            var found: [Ban] = []
            for length in banSets {
                for e in try ctx.elements(table: layout.table, set: layout.setName(length)) ?? [] {
                    guard older(e) != nil, e.address.family == length.family else { continue }
                    let target = CIDR(address: e.address, prefixLength: length.length)
                    found.append(Ban(target: target, expiresAt: e.timeLeftMs.map { now + Int64($0) }))
                }
            }
            var trapped: [BanRequest] = []
            for family in AddressFamily.allCases {
                for e in try ctx.elements(table: layout.table, set: layout.trapSetName(family)) ?? [] {
                    guard let age = older(e), e.address.family == family,
                          let seconds = NftablesBackend.remainingSeconds(of: defaultSeconds, after: age) else { continue }
                    trapped.append(BanRequest(e.address, seconds: seconds, time: now - min(age, now)))
                }
            }
            let added = shared.withLock { state in
                found.filter { state.book.ban($0.target) == nil }.map { state.book.put($0); return $0 }.count
            }
            let recorded = shared.withLock { state in trapped.filter { !state.book.isBanned($0.target.network, at: now) } }
            importPendingSince = nil
            if added > 0 { stateDirty = true }
            let banned = commitPending(with: recorded).filter { if case .success(.banned) = $0 { true } else { false } }.count
            if added + banned > 0 {
                logger.notice("nftables: \(added + banned) bans found in the kernel without a record in the state file")
            }
        } catch {
            logger.debug("nftables: cannot list the sets yet (\(error)); retrying")
        }
    }

    /// What is left of a ban of `banSeconds` (0 = no expiry) `ageMs` after it began, in whole
    /// seconds rounded up; nil when less than the expiry grace is left.
    static func remainingSeconds(of banSeconds: UInt64, after ageMs: Int64) -> UInt64? {
        guard banSeconds > 0 else { return 0 }
        let left = Int64(min(banSeconds, BanDuration.maximum.seconds)) * 1000 - max(ageMs, 0)
        return left > expiryGraceMs ? UInt64((left + 999) / 1000) : nil
    }

    /// The bans in `bans` (of one set) that `kernel` does not hold, leaving out those within a
    /// second of their expiry (the kernel may have dropped them already). A prefix ban's element
    /// is its network address. Elements the kernel holds and the ban table does not (the kernel
    /// trap's newest, someone's own) are no drift.
    static func missing(_ bans: [Ban], kernel: [NftElement], at now: Int64) -> [Ban] {
        guard !bans.isEmpty else { return [] }
        let held = Set(kernel.lazy.map(\.address))
        return bans.filter { ban in
            guard ban.expiresAt.map({ $0 - now > expiryGraceMs }) ?? true else { return false }
            return !held.contains(ban.target.network)
        }
    }
}
