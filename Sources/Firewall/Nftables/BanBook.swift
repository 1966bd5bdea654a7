import PortsentryCore

/// The in-process ban table: ban target (host or prefix) → ban, and per family the bans ordered
/// by expiry (never-expiring ones last, oldest first), so expired bans and the ban closest to
/// expiry are found in O(log n), without a scan. Whether an address is banned takes one hash
/// lookup per prefix length in use (a host ban, a /64 ban ...). A plain value; `NftablesBackend`
/// keeps it in a mutex.
///
/// The bans sit side by side in an array and the hash table maps a target to its place: a table
/// of 100,000 bans as values spread ~40 MB that every start-up touched page by page
/// (docs/performance.md, "Restart with many bans").
struct BanBook: Sendable {
    /// Every ban, in no particular order.
    private(set) var all: [Ban] = []
    private var places: [CIDR: Int] = [:]
    private var expiries4 = ExpiryHeap(), expiries6 = ExpiryHeap()
    private var v4Count = 0, v6Count = 0
    /// Bans per prefix length, per family, and those lengths longest first (what a lookup tries).
    private var lengthCounts: [AddressFamily: [Int: Int]] = [:]
    private var lengths4: [Int] = [], lengths6: [Int] = []

    init() {}

    /// The book of `bans` (a state file's, read back): the array becomes the book's, the expiry
    /// order is built in one pass. A target that comes twice keeps its later ban, as with `put`.
    init(restoring bans: [Ban]) {
        self.init()
        places.reserveCapacity(bans.count)
        var heap4: [(Int64, CIDR)] = [], heap6: [(Int64, CIDR)] = []
        for (place, ban) in bans.enumerated() {
            guard places.updateValue(place, forKey: ban.target) == nil else {
                self = BanBook()
                for ban in bans { put(ban) }
                return
            }
            if ban.family == .inet { heap4.append((ban.expiresAt ?? .max, ban.target)) } else { heap6.append((ban.expiresAt ?? .max, ban.target)) }
        }
        all = bans
        expiries4 = ExpiryHeap(heap4); expiries6 = ExpiryHeap(heap6)
        var counts: [AddressFamily: [Int: Int]] = [:]
        for ban in bans { counts[ban.family, default: [:]][ban.target.prefixLength, default: 0] += 1 }
        lengthCounts = counts
        v4Count = heap4.count; v6Count = heap6.count
        lengths4 = counts[.inet, default: [:]].keys.sorted(by: >); lengths6 = counts[.inet6, default: [:]].keys.sorted(by: >)
    }

    /// Bans of one family in the table, hosts and prefixes.
    func count(_ family: AddressFamily) -> Int { family == .inet ? v4Count : v6Count }
    /// Bans of one prefix length (the elements its set should hold); a host's length counts hosts.
    func count(_ length: PrefixLength) -> Int { lengthCounts[length.family]?[length.length] ?? 0 }

    func ban(_ target: CIDR) -> Ban? { places[target].map { all[$0] } }

    /// The prefix lengths of the prefix bans held (hosts not included).
    var prefixLengths: Set<PrefixLength> {
        Set(lengthCounts.flatMap { family, counts in counts.keys.filter { $0 < family.width }.map { PrefixLength(family, $0) } })
    }

    /// The ban that covers `address`, longest prefix first (its host ban before its /64's).
    func covering(_ address: IPAddress) -> Ban? {
        let a = address.unmapped
        for length in a.family == .inet ? lengths4 : lengths6 {
            if let place = places[CIDR(address: a, prefixLength: length)] { return all[place] }
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
            .map { CIDR(address: target.network, prefixLength: $0) }.filter { places[$0] != nil }
        if !target.isHost, lengths.contains(where: { $0 > target.prefixLength }) {
            out += places.keys.filter { $0.prefixLength > target.prefixLength && target.contains($0) }
        }
        return out
    }

    /// Inserts or replaces a ban. A ban whose expiry stays the same keeps its place in the order.
    mutating func put(_ ban: Ban) {
        let known = places[ban.target]
        let old = known.map { all[$0] }
        if let place = known {
            all[place] = ban
        } else {
            places[ban.target] = all.count
            all.append(ban)
            adjustCount(ban.target, by: 1)
        }
        if old == nil || old?.expiresAt != ban.expiresAt { withHeap(ban.family) { $0.push(ban.expiresAt ?? .max, ban.target) } }
        // Refreshed and removed bans leave stale heap entries behind; drop them before they pile up.
        if expiries4.count + expiries6.count > 2 * all.count + 1024 {
            let book = self
            var seen = Set<CIDR>()
            let keep = { (at: Int64, target: CIDR) in book.isCurrent(at, target) && seen.insert(target).inserted }
            expiries4.retain(keep); expiries6.retain(keep)
        }
    }

    @discardableResult
    mutating func remove(_ target: CIDR) -> Ban? {
        guard let place = places.removeValue(forKey: target) else { return nil }
        let old = all[place]
        let last = all.removeLast()
        if place < all.count {   // the last ban fills the gap
            all[place] = last
            places[last.target] = place
        }
        adjustCount(target, by: -1)
        return old
    }

    mutating func removeAll() -> [Ban] {
        defer { self = BanBook() }
        return all
    }

    /// Makes room for `n` more bans at once, growing geometrically (`reserveCapacity` alone
    /// would rehash the whole table on every batch).
    mutating func reserve(_ n: Int) {
        if places.capacity < places.count + n { places.reserveCapacity(max(places.count + n, 2 * places.capacity)) }
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
    private func isCurrent(_ at: Int64, _ target: CIDR) -> Bool {
        ban(target).map { ($0.expiresAt ?? .max) == at } ?? false
    }

    /// Counts a probe from `address` on the ban that covers it.
    mutating func recordHit(_ address: IPAddress) {
        guard let target = covering(address)?.target, let place = places[target] else { return }
        all[place].hits += 1
    }

    /// Removes and returns the bans expired at `now`. Heap entries of bans that were refreshed
    /// or removed since are skipped.
    mutating func removeExpired(at now: Int64) -> [Ban] {
        var out: [Ban] = []
        for family in AddressFamily.allCases {
            while let (at, target) = withHeap(family, { $0.top }), at <= now {
                withHeap(family) { $0.pop() }
                if isCurrent(at, target) { out.append(remove(target)!) }
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
            guard isCurrent(at, target) else { continue }
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

    init() {}

    /// A heap of `entries` (equal expiries leave in the order given), built in O(n).
    init(_ entries: [(Int64, CIDR)]) {
        items = entries.enumerated().map { Item(at: $1.0, order: UInt64($0 + 1), target: $1.1) }
        pushes = UInt64(entries.count)
        for i in stride(from: items.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
    }

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
