import PortsentryCore

/// The nft text for one batch of ban requests, decided against the ban table: new sources are
/// added; sources the table knows are refreshed portably with add/delete/add in the same
/// transaction (Linux 6.1 ignores re-adds; ≥ 6.12 refreshes only on a different timeout);
/// new sources beyond a set's free room are refused as set-full without touching the kernel.
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

        var outcome: BanOutcome { refresh ? .refreshed(ban) : .banned(ban) }
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

    mutating func classify(_ requests: [BanRequest], book: BanBook) {
        var free4 = layout.setSize - book.count(.inet), free6 = layout.setSize - book.count(.inet6)
        items.reserveCapacity(requests.count)
        for (slot, r) in requests.enumerated() {
            let seconds = min(r.seconds ?? defaultSeconds, BanDuration.maximum.seconds)
            let timeoutMs = seconds == 0 ? nil : seconds * 1000
            let expiresAt = timeoutMs.map { now + Int64($0) }
            if let old = book.ban(r.address) {
                let ban = Ban(address: r.address, expiresAt: expiresAt, origin: old.origin ?? r.origin, since: old.since ?? r.time, hits: old.hits)
                items.append(Item(slot: slot, request: r, ban: ban, refresh: true, timeoutMs: timeoutMs))
            } else if (r.address.family == .inet ? free4 : free6) > 0 {
                if r.address.family == .inet { free4 -= 1 } else { free6 -= 1 }
                let ban = Ban(address: r.address, expiresAt: expiresAt, origin: r.origin, since: r.time)
                items.append(Item(slot: slot, request: r, ban: ban, refresh: false, timeoutMs: timeoutMs))
            } else {
                full.append((slot, r.address.family))
            }
        }
    }

    var script: String { BanPlan.script(for: items, layout: layout) }

    static func script(for items: [Item], layout: NftLayout) -> String {
        let refreshed = items.filter(\.refresh)
        return layout.addElements(items.map { ($0.request.address, $0.timeoutMs) })
            + layout.deleteElements(refreshed.map(\.request.address))
            + layout.addElements(refreshed.map { ($0.request.address, $0.timeoutMs) })
    }
}
