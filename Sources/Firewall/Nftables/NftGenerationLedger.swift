/// Tells the backend's own transactions from everyone else's by nf_tables' ruleset generation,
/// which grows by one with every transaction that changes something, in any table (one that
/// changes nothing, or fails, leaves it). The backend reads it before and after each of its own
/// transactions and on every watchdog tick: a step it cannot account for is someone else's
/// commit, which may have removed bans (`nft flush set`, `nft delete element`); only then are
/// the sets' elements compared with the ban table. Elements that the kernel adds from the
/// packet path or removes on expiry do not move the generation, and neither kind is drift.
///
/// Left open: an outside commit that lands during one of our own transactions that changed
/// nothing (an add of elements the kernel trap made already) looks like ours. The window is one
/// transaction long (~0.1 ms); the periodic full comparison (`NftablesBackend.fullCheckIntervalMs`)
/// closes it.
struct NftGenerationLedger: Sendable, Hashable {
    /// The last generation accounted for; nil before the first reading.
    private(set) var accounted: UInt32?
    /// Whether someone else has committed since the last `takeOutsideChange`.
    private(set) var outsideChange = false

    /// A reading outside our own transactions: any step is someone else's, and so is a
    /// generation the kernel would not tell.
    mutating func observe(_ generation: UInt32?) {
        if generation == nil || generation != accounted { outsideChange = true }
        accounted = generation
    }

    /// The reading right before a transaction of ours.
    mutating func beforeOwn(_ generation: UInt32?) { observe(generation) }

    /// The reading right after it: a committed transaction of ours accounts for a step of one at
    /// most, a failed one for none.
    mutating func afterOwn(_ generation: UInt32?, committed: Bool) {
        afterOwn(generation, transactions: committed ? 1 : 0)
    }

    /// The same after `transactions` of ours in a row (netlink batches).
    mutating func afterOwn(_ generation: UInt32?, transactions: Int) {
        if let generation, let before = accounted, generation &- before <= UInt32(clamping: transactions) {
            accounted = generation
        } else {
            observe(generation)
        }
    }

    /// Starts from `generation` with nothing pending (after a full comparison).
    mutating func reset(to generation: UInt32?) {
        accounted = generation
        outsideChange = generation == nil
    }

    /// Whether someone else committed since the last call; clears the flag.
    mutating func takeOutsideChange() -> Bool {
        defer { outsideChange = false }
        return outsideChange
    }
}
