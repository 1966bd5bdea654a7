import PortsentryCore

extension NftablesBackend {
    /// Installs the table with `trap` (nil = none) and the prefix sets in use in one transaction,
    /// first making the sets named in `replacingSets` anew (the watchdog's repair of a set someone
    /// replaced), and records the table's shape for the watchdog. Ban sets made by an older
    /// version lack the `dynamic` flag; they are declared as they are (the trap's first rule then
    /// makes them dynamic).
    func install(_ ctx: any NftKernel, trap: KernelTrap?, replacingSets: [String] = []) throws(NftError) {
        let teardown = layout.teardown(sets: replacingSets)
        do {
            try transact(ctx, teardown + layout.installScript(trap: trap, prefixes: prefixSets))
        } catch let first {
            do { try transact(ctx, teardown + layout.installScript(trap: trap, prefixes: prefixSets, dynamicSets: false)) } catch { throw first }
        }
        expectedShape = try? ctx.shape(of: layout.table)
    }

    /// Makes sure the prefix sets `needed` exist and are matched: a new length reinstalls the
    /// table's chains with its set, in one transaction (as at start).
    func ensurePrefixSets(_ needed: Set<PrefixLength>, _ ctx: any NftKernel) throws(NftError) {
        let missing = needed.subtracting(prefixSets)
        guard !missing.isEmpty else { return }
        prefixSets.formUnion(missing)
        do {
            try install(ctx)
        } catch {
            prefixSets.subtract(missing)
            throw error
        }
    }

    /// The same with the trap in force.
    func install(_ ctx: any NftKernel, replacingSets: [String] = []) throws(NftError) {
        try install(ctx, trap: trap, replacingSets: replacingSets)
    }

    /// Puts the kernel trap that `make` computes in force (nil removes it), replacing the previous
    /// one atomically; the watchdog's repairs keep it. Bans are not touched. `make` runs on the
    /// backend's thread, so callers that race each other install in the order they computed.
    /// Returns the trap in force.
    @discardableResult
    public func setKernelTrap(_ make: @Sendable () -> KernelTrap?) throws(NftError) -> KernelTrap? {
        let new = make()
        guard new != trap else { return trap }
        try install(try openContext(), trap: new)
        trap = new
        return new
    }

    /// The kernel trap in force.
    public var kernelTrap: KernelTrap? { trap }

    /// Maintenance: which trap sets are full (their element counts, one netlink request each;
    /// a kernel that gives no count, Linux 6.1, is taken as having room), and since when. A set
    /// that fills is logged once, and again when it takes sources again.
    func lookAtTrapSets(_ ctx: any NftKernel) {
        for family in AddressFamily.allCases {
            let set = layout.trapSetName(family)
            let count = trap == nil ? nil : ctx.elementCount(table: layout.table, set: set)
            let full = count.map { $0 >= layout.setSize } ?? false
            let wasFull = trapFullSince.withLock { $0[family] != nil }
            if full, !wasFull {
                trapFullSince.withLock { $0[family] = MonotonicClock.now() }
                logger.warning("nftables set inet \(layout.table) \(set) is full (NFT_SET_SIZE=\(layout.setSize)): the kernel trap bans no new source until its elements expire (\(NftLayout.trapHoldSeconds / 60) minutes after their probes); the daemon bans them meanwhile")
            } else if !full, wasFull {
                trapFullSince.withLock { $0[family] = nil }
                logger.notice("nftables set inet \(layout.table) \(set) has room again: the kernel trap bans new sources again")
            }
        }
    }
}
