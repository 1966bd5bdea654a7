import PortsentryCore

/// The in-process ban table: address → ban, O(1) lookups, and the bans ordered by expiry so the
/// expired ones are found without a scan. A plain value; `NftablesBackend` keeps it in a mutex.
struct BanBook: Sendable {
    private(set) var bans: [IPAddress: Ban] = [:]
    private var expiries = ExpiryHeap()
    private var v4Count = 0, v6Count = 0

    /// Bans of one family in the table.
    func count(_ family: AddressFamily) -> Int { family == .inet ? v4Count : v6Count }

    func ban(_ address: IPAddress) -> Ban? { bans[address] }

    /// Whether `address` has a ban that has not expired at `now`.
    func isBanned(_ address: IPAddress, at now: Int64) -> Bool {
        bans[address]?.isLive(at: now) ?? false
    }

    /// Inserts or replaces a ban.
    mutating func put(_ ban: Ban) {
        if bans.updateValue(ban, forKey: ban.address) == nil { adjustCount(ban.family, by: 1) }
        if let at = ban.expiresAt { expiries.push(at, ban.address) }
        // Refreshed bans leave stale heap entries behind; rebuild before they pile up.
        if expiries.count > 2 * bans.count + 1024 {
            expiries = ExpiryHeap()
            for b in bans.values { if let at = b.expiresAt { expiries.push(at, b.address) } }
        }
    }

    @discardableResult
    mutating func remove(_ address: IPAddress) -> Ban? {
        guard let old = bans.removeValue(forKey: address) else { return nil }
        adjustCount(old.family, by: -1)
        return old
    }

    mutating func removeAll() -> [Ban] {
        defer { bans = [:]; expiries = ExpiryHeap(); v4Count = 0; v6Count = 0 }
        return Array(bans.values)
    }

    /// Makes room for `n` more bans at once, growing geometrically (`reserveCapacity` alone
    /// would rehash the whole table on every batch).
    mutating func reserve(_ n: Int) {
        if bans.capacity < bans.count + n { bans.reserveCapacity(max(bans.count + n, 2 * bans.capacity)) }
    }

    private mutating func adjustCount(_ family: AddressFamily, by delta: Int) {
        if family == .inet { v4Count += delta } else { v6Count += delta }
    }

    mutating func recordHit(_ address: IPAddress) {
        bans[address]?.hits += 1
    }

    /// Removes and returns the bans expired at `now`. Heap entries of bans that were refreshed
    /// or removed since are skipped.
    mutating func removeExpired(at now: Int64) -> [Ban] {
        var out: [Ban] = []
        while let (at, address) = expiries.top, at <= now {
            expiries.pop()
            if let b = bans[address], b.expiresAt == at { out.append(b); remove(address) }
        }
        return out
    }
}

/// A binary min-heap of (expiry, address).
struct ExpiryHeap: Sendable {
    private var items: [(at: Int64, address: IPAddress)] = []

    var top: (Int64, IPAddress)? { items.first.map { ($0.at, $0.address) } }
    var count: Int { items.count }

    mutating func push(_ at: Int64, _ address: IPAddress) {
        items.append((at, address))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].at < items[parent].at else { break }
            items.swapAt(i, parent); i = parent
        }
    }

    mutating func pop() {
        guard !items.isEmpty else { return }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var smallest = i
            if l < items.count, items[l].at < items[smallest].at { smallest = l }
            if r < items.count, items[r].at < items[smallest].at { smallest = r }
            if smallest == i { return }
            items.swapAt(i, smallest); i = smallest
        }
    }
}
