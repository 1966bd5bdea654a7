import PortsentryCore

/// The in-process ban table: ban target (host or prefix) → ban, and per family the bans ordered
/// by expiry (never-expiring ones last, oldest first), so expired bans and the ban closest to
/// expiry are found in O(log n), without a scan. Whether an address is banned takes one hash
/// lookup per prefix length in use (a host ban, a /64 ban ...). A plain value; `NftablesBackend`
/// keeps it in a mutex.
struct BanBook: Sendable {
    private(set) var bans: [CIDR: Ban] = [:]
    private var expiries4 = ExpiryHeap(), expiries6 = ExpiryHeap()
    private var v4Count = 0, v6Count = 0
    /// Bans per prefix length, per family, and those lengths longest first (what a lookup tries).
    private var lengthCounts: [AddressFamily: [Int: Int]] = [:]
    private var lengths4: [Int] = [], lengths6: [Int] = []

    /// Bans of one family in the table, hosts and prefixes.
    func count(_ family: AddressFamily) -> Int { family == .inet ? v4Count : v6Count }
    /// Bans of one prefix length (the elements its set should hold); a host's length counts hosts.
    func count(_ length: PrefixLength) -> Int { lengthCounts[length.family]?[length.length] ?? 0 }

    func ban(_ target: CIDR) -> Ban? { bans[target] }

    /// The prefix lengths of the prefix bans held (hosts not included).
    var prefixLengths: Set<PrefixLength> {
        Set(lengthCounts.flatMap { family, counts in counts.keys.filter { $0 < family.width }.map { PrefixLength(family, $0) } })
    }

    /// The ban that covers `address`, longest prefix first (its host ban before its /64's).
    func covering(_ address: IPAddress) -> Ban? {
        let a = address.unmapped
        for length in a.family == .inet ? lengths4 : lengths6 {
            if let ban = bans[CIDR(address: a, prefixLength: length)] { return ban }
        }
        return nil
    }

    /// Whether a ban that covers `address` has not expired at `now`.
    func isBanned(_ address: IPAddress, at now: Int64) -> Bool {
        covering(address)?.isLive(at: now) ?? false
    }

    /// The bans that share an address with `target`: those inside it and the prefix bans that
    /// contain it. One lookup per length up to the target's; a network target also scans the
    /// table for the bans inside it.
    func overlapping(_ target: CIDR) -> [CIDR] {
        let lengths = target.family == .inet ? lengths4 : lengths6
        var out = lengths.filter { $0 <= target.prefixLength }
            .map { CIDR(address: target.network, prefixLength: $0) }.filter { bans[$0] != nil }
        if !target.isHost, lengths.contains(where: { $0 > target.prefixLength }) {
            out += bans.keys.filter { $0.prefixLength > target.prefixLength && target.contains($0) }
        }
        return out
    }

    /// Inserts or replaces a ban. A ban whose expiry stays the same keeps its place in the order.
    mutating func put(_ ban: Ban) {
        let old = bans.updateValue(ban, forKey: ban.target)
        if old == nil { adjustCount(ban.target, by: 1) }
        if old == nil || old?.expiresAt != ban.expiresAt { withHeap(ban.family) { $0.push(ban.expiresAt ?? .max, ban.target) } }
        // Refreshed and removed bans leave stale heap entries behind; drop them before they pile up.
        if expiries4.count + expiries6.count > 2 * bans.count + 1024 {
            let table = bans
            var seen = Set<CIDR>()
            let keep = { (at: Int64, target: CIDR) in BanBook.isCurrent(at, target, in: table) && seen.insert(target).inserted }
            expiries4.retain(keep); expiries6.retain(keep)
        }
    }

    @discardableResult
    mutating func remove(_ target: CIDR) -> Ban? {
        guard let old = bans.removeValue(forKey: target) else { return nil }
        adjustCount(target, by: -1)
        return old
    }

    mutating func removeAll() -> [Ban] {
        defer { self = BanBook() }
        return Array(bans.values)
    }

    /// Makes room for `n` more bans at once, growing geometrically (`reserveCapacity` alone
    /// would rehash the whole table on every batch).
    mutating func reserve(_ n: Int) {
        if bans.capacity < bans.count + n { bans.reserveCapacity(max(bans.count + n, 2 * bans.capacity)) }
    }

    private mutating func adjustCount(_ target: CIDR, by delta: Int) {
        if target.family == .inet { v4Count += delta } else { v6Count += delta }
        let n = lengthCounts[target.family, default: [:]][target.prefixLength, default: 0] + delta
        lengthCounts[target.family, default: [:]][target.prefixLength] = n == 0 ? nil : n
        guard n == 0 || (n == 1 && delta == 1) else { return }
        let lengths = lengthCounts[target.family, default: [:]].keys.sorted(by: >)
        if target.family == .inet { lengths4 = lengths } else { lengths6 = lengths }
    }

    private mutating func withHeap<T>(_ family: AddressFamily, _ body: (inout ExpiryHeap) -> T) -> T {
        family == .inet ? body(&expiries4) : body(&expiries6)
    }

    /// Whether a heap entry names a ban's current expiry (not one it had before a refresh).
    private static func isCurrent(_ at: Int64, _ target: CIDR, in bans: [CIDR: Ban]) -> Bool {
        bans[target].map { ($0.expiresAt ?? .max) == at } ?? false
    }

    /// Counts a probe from `address` on the ban that covers it.
    mutating func recordHit(_ address: IPAddress) {
        guard let target = covering(address)?.target else { return }
        bans[target]?.hits += 1
    }

    /// Removes and returns the bans expired at `now`. Heap entries of bans that were refreshed
    /// or removed since are skipped.
    mutating func removeExpired(at now: Int64) -> [Ban] {
        var out: [Ban] = []
        for family in AddressFamily.allCases {
            while let (at, target) = withHeap(family, { $0.top }), at <= now {
                withHeap(family) { $0.pop() }
                if BanBook.isCurrent(at, target, in: bans) { out.append(remove(target)!) }
            }
        }
        return out
    }

    /// Removes and returns up to `n` bans of `family` to make room in a full set: those closest
    /// to expiry first, never-expiring ones last (the oldest first), none in
    /// `sparing`. O(log n) each; fewer than `n` only when the table runs out.
    mutating func evict(_ n: Int, of family: AddressFamily, sparing: Set<CIDR>) -> [Ban] {
        var out: [Ban] = [], spared: [(Int64, CIDR)] = []
        while out.count < n, let (at, target) = withHeap(family, { $0.top }) {
            withHeap(family) { $0.pop() }
            guard BanBook.isCurrent(at, target, in: bans) else { continue }
            if sparing.contains(target) { spared.append((at, target)) } else { out.append(remove(target)!) }
        }
        withHeap(family) { heap in for (at, target) in spared { heap.push(at, target) } }
        return out
    }
}

/// A binary min-heap of (expiry, ban target); equal expiries leave in the order they came.
struct ExpiryHeap: Sendable {
    private struct Item {
        var at: Int64, order: UInt64, target: CIDR
        func precedes(_ other: Item) -> Bool { (at, order) < (other.at, other.order) }
    }
    private var items: [Item] = []
    private var pushes: UInt64 = 0

    var top: (Int64, CIDR)? { items.first.map { ($0.at, $0.target) } }
    var count: Int { items.count }

    mutating func push(_ at: Int64, _ target: CIDR) {
        pushes += 1
        items.append(Item(at: at, order: pushes, target: target))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].precedes(items[parent]) else { break }
            items.swapAt(i, parent); i = parent
        }
    }

    /// Keeps the entries `keep` accepts, in their order (O(n)).
    mutating func retain(_ keep: (Int64, CIDR) -> Bool) {
        items.removeAll { !keep($0.at, $0.target) }
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
