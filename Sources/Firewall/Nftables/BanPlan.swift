import PortsentryCore

/// The nft text for one batch of ban requests (hosts and prefixes), decided against the ban
/// table: new sources are added; sources the table knows are refreshed portably with add/delete/add in the same
/// transaction (Linux 6.1 ignores re-adds; ≥ 6.12 refreshes only on a different timeout).
/// A new source beyond its set's free room evicts the ban closest to expiry (`BanBook.evict`),
/// removed in the same transaction before the add; only when none can be evicted is it refused
/// as set-full, without touching the kernel.
struct BanPlan {
    struct Item {
        /// Position of the request in the batch.
        var slot: Int
        var request: BanRequest
        /// The ban as it will be after the commit.
        var ban: Ban
        var refresh: Bool
        /// nil = no expiry.
        var timeoutMs: UInt64?
        /// The ban that leaves the set to make room for this one, already out of the table.
        var evicts: Ban?

        /// The outcome at `now`: an evicted ban whose time was up already counts as expired.
        func outcome(at now: Int64) -> BanOutcome {
            if refresh { return .refreshed(ban) }
            return .banned(ban, displacing: evicts.map { BanRelease(target: $0.target, reason: $0.isLive(at: now) ? .evicted : .expired) })
        }
    }

    let layout: NftLayout
    let now: Int64
    let defaultSeconds: UInt64
    private(set) var items: [Item] = []
    /// Requests refused because their family's set has no room: (slot, family).
    private(set) var full: [(slot: Int, family: AddressFamily)] = []

    init(layout: NftLayout, now: Int64, defaultSeconds: UInt64) {
        self.layout = layout; self.now = now; self.defaultSeconds = defaultSeconds
    }

    var isEmpty: Bool { items.isEmpty }

    /// Sorts `requests` into new bans and refreshes; takes the bans to evict out of `book`
    /// (`restore` puts back those of items that do not commit).
    mutating func classify(_ requests: [BanRequest], book: inout BanBook) {
        var free = [AddressFamily.inet: layout.setSize - book.count(.inet), .inet6: layout.setSize - book.count(.inet6)]
        var needRoom: [AddressFamily: [Int]] = [:]
        items.reserveCapacity(requests.count)
        for (slot, r) in requests.enumerated() {
            let seconds = min(r.seconds ?? defaultSeconds, BanDuration.maximum.seconds)
            var timeoutMs = seconds == 0 ? nil : seconds * 1000
            if let old = book.ban(r.target), !old.isLive(at: now) {
                // Expired, and its expiry not processed yet: a new ban (a new offence) in its place.
                book.remove(r.target)
                let ban = Ban(target: r.target, expiresAt: timeoutMs.map { now + Int64($0) }, origin: r.origin, since: r.time,
                              offence: r.offence, seconds: seconds)
                items.append(Item(slot: slot, request: r, ban: ban, refresh: false, timeoutMs: timeoutMs, evicts: old))
                continue
            }
            if let old = book.ban(r.target) {
                // A refresh never shortens a ban: it keeps whichever expiry is later.
                if let t = timeoutMs { timeoutMs = old.expiresAt.map { max(t, UInt64(max(0, $0 - now))) } }
                let ban = Ban(target: r.target, expiresAt: timeoutMs.map { now + Int64($0) }, origin: old.origin ?? r.origin,
                              since: old.since ?? r.time, hits: old.hits, offence: old.offence, seconds: old.seconds ?? seconds)
                items.append(Item(slot: slot, request: r, ban: ban, refresh: true, timeoutMs: timeoutMs))
                continue
            }
            let expiresAt = timeoutMs.map { now + Int64($0) }
            let family = r.target.family
            if free[family, default: 0] > 0 { free[family, default: 0] -= 1 } else { needRoom[family, default: []].append(items.count) }
            let ban = Ban(target: r.target, expiresAt: expiresAt, origin: r.origin, since: r.time, offence: r.offence, seconds: seconds)
            items.append(Item(slot: slot, request: r, ban: ban, refresh: false, timeoutMs: timeoutMs))
        }
        guard !needRoom.isEmpty else { return }
        let refreshed = Set(items.lazy.filter(\.refresh).map(\.request.target))
        var refused = Set<Int>()
        for (family, waiting) in needRoom {
            let victims = book.evict(waiting.count, of: family, sparing: refreshed)
            for (i, victim) in zip(waiting, victims) { items[i].evicts = victim }
            for i in waiting.dropFirst(victims.count) { refused.insert(i); full.append((items[i].slot, family)) }
        }
        if !refused.isEmpty { items = items.indices.filter { !refused.contains($0) }.map { items[$0] } }
    }

    /// The targets the plan will ban or refresh (not to be chosen for eviction).
    var targets: Set<CIDR> { Set(items.map(\.request.target)) }

    /// The prefix sets the plan's elements go into.
    var prefixLengths: Set<PrefixLength> { Set(items.lazy.filter { !$0.request.target.isHost }.map { PrefixLength($0.request.target) }) }

    var script: String { BanPlan.script(for: items, layout: layout) }

    static func script(for items: [Item], layout: NftLayout) -> String {
        let refreshed = items.filter(\.refresh)
        return layout.removeElements(items.compactMap(\.evicts?.target))
            + layout.addElements(items.map { ($0.request.target, $0.timeoutMs) })
            + layout.deleteElements(refreshed.map(\.request.target))
            + layout.addElements(refreshed.map { ($0.request.target, $0.timeoutMs) })
    }
}
