import PortsentryCore

/// The in-process ban table: address → ban, O(1) lookups, and per family the bans ordered by
/// expiry (never-expiring ones last, oldest first), so expired bans and the ban closest to
/// expiry are found in O(log n), without a scan. A plain value; `NftablesBackend` keeps it in a mutex.
struct BanBook: Sendable {
    private(set) var bans: [IPAddress: Ban] = [:]
    private var expiries4 = ExpiryHeap(), expiries6 = ExpiryHeap()
    private var v4Count = 0, v6Count = 0

    /// Bans of one family in the table.
    func count(_ family: AddressFamily) -> Int { family == .inet ? v4Count : v6Count }

    func ban(_ address: IPAddress) -> Ban? { bans[address] }

    /// Whether `address` has a ban that has not expired at `now`.
    func isBanned(_ address: IPAddress, at now: Int64) -> Bool {
        bans[address]?.isLive(at: now) ?? false
    }

    /// Inserts or replaces a ban. A ban whose expiry stays the same keeps its place in the order.
    mutating func put(_ ban: Ban) {
        let old = bans.updateValue(ban, forKey: ban.address)
        if old == nil { adjustCount(ban.family, by: 1) }
        if old == nil || old?.expiresAt != ban.expiresAt { withHeap(ban.family) { $0.push(ban.expiresAt ?? .max, ban.address) } }
        // Refreshed and removed bans leave stale heap entries behind; drop them before they pile up.
        if expiries4.count + expiries6.count > 2 * bans.count + 1024 {
            let table = bans
            var seen = Set<IPAddress>()
            let keep = { (at: Int64, address: IPAddress) in BanBook.isCurrent(at, address, in: table) && seen.insert(address).inserted }
            expiries4.retain(keep); expiries6.retain(keep)
        }
    }

    @discardableResult
    mutating func remove(_ address: IPAddress) -> Ban? {
        guard let old = bans.removeValue(forKey: address) else { return nil }
        adjustCount(old.family, by: -1)
        return old
    }

    mutating func removeAll() -> [Ban] {
        defer { bans = [:]; expiries4 = ExpiryHeap(); expiries6 = ExpiryHeap(); v4Count = 0; v6Count = 0 }
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

    private mutating func withHeap<T>(_ family: AddressFamily, _ body: (inout ExpiryHeap) -> T) -> T {
        family == .inet ? body(&expiries4) : body(&expiries6)
    }

    /// Whether a heap entry names a ban's current expiry (not one it had before a refresh).
    private static func isCurrent(_ at: Int64, _ address: IPAddress, in bans: [IPAddress: Ban]) -> Bool {
        bans[address].map { ($0.expiresAt ?? .max) == at } ?? false
    }

    mutating func recordHit(_ address: IPAddress) {
        bans[address]?.hits += 1
    }

    /// Removes and returns the bans expired at `now`. Heap entries of bans that were refreshed
    /// or removed since are skipped.
    mutating func removeExpired(at now: Int64) -> [Ban] {
        var out: [Ban] = []
        for family in AddressFamily.allCases {
            while let (at, address) = withHeap(family, { $0.top }), at <= now {
                withHeap(family) { $0.pop() }
                if BanBook.isCurrent(at, address, in: bans) { out.append(remove(address)!) }
            }
        }
        return out
    }

    /// Removes and returns up to `n` bans of `family` to make room in a full set: those closest
    /// to expiry first, never-expiring ones last (the oldest first), none in
    /// `sparing`. O(log n) each; fewer than `n` only when the table runs out.
    mutating func evict(_ n: Int, of family: AddressFamily, sparing: Set<IPAddress>) -> [Ban] {
        var out: [Ban] = [], spared: [(Int64, IPAddress)] = []
        while out.count < n, let (at, address) = withHeap(family, { $0.top }) {
            withHeap(family) { $0.pop() }
            guard BanBook.isCurrent(at, address, in: bans) else { continue }
            if sparing.contains(address) { spared.append((at, address)) } else { out.append(remove(address)!) }
        }
        withHeap(family) { heap in for (at, address) in spared { heap.push(at, address) } }
        return out
    }
}

/// A binary min-heap of (expiry, address); equal expiries leave in the order they came.
struct ExpiryHeap: Sendable {
    private struct Item {
        var at: Int64, order: UInt64, address: IPAddress
        func precedes(_ other: Item) -> Bool { (at, order) < (other.at, other.order) }
    }
    private var items: [Item] = []
    private var pushes: UInt64 = 0

    var top: (Int64, IPAddress)? { items.first.map { ($0.at, $0.address) } }
    var count: Int { items.count }

    mutating func push(_ at: Int64, _ address: IPAddress) {
        pushes += 1
        items.append(Item(at: at, order: pushes, address: address))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].precedes(items[parent]) else { break }
            items.swapAt(i, parent); i = parent
        }
    }

    /// Keeps the entries `keep` accepts, in their order (O(n)).
    mutating func retain(_ keep: (Int64, IPAddress) -> Bool) {
        items.removeAll { !keep($0.at, $0.address) }
        for i in stride(from: items.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
    }

    mutating func pop() {
        guard !items.isEmpty else { return }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        siftDown(0)
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        while true {
            let l = 2 * i + 1, r = l + 1
            var smallest = i
            if l < items.count, items[l].precedes(items[smallest]) { smallest = l }
            if r < items.count, items[r].precedes(items[smallest]) { smallest = r }
            if smallest == i { return }
            items.swapAt(i, smallest); i = smallest
        }
    }
}
