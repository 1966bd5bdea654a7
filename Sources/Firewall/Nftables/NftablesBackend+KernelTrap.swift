import PortsentryCore

extension NftablesBackend {
    /// Installs the table with `trap` (nil = none), the prefix sets in use and `extra` commands,
    /// in one transaction. Ban sets made by an older version lack the `dynamic` flag; they are
    /// declared as they are (the trap's first rule then makes them dynamic).
    func install(_ ctx: any NftKernel, trap: KernelTrap?, extra: String = "") throws(NftError) {
        do {
            try ctx.run(layout.installScript(trap: trap, prefixes: prefixSets) + extra)
        } catch let first {
            do { try ctx.run(layout.installScript(trap: trap, prefixes: prefixSets, dynamicSets: false) + extra) } catch { throw first }
        }
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
    func install(_ ctx: any NftKernel, extra: String = "") throws(NftError) {
        try install(ctx, trap: trap, extra: extra)
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
}
