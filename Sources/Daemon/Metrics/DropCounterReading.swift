import Firewall
import PortsentryCore

/// `portsentry_dropped_packets_total` / `portsentry_dropped_bytes_total`: what the bans'
/// rules dropped, from our named nft counters. The read runs on the ban backend's thread (it
/// owns the netlink context), between two batches, as one object dump (tens of µs); it runs at
/// most once per `interval`, and concurrent scrapes share it, so however often Prometheus (or
/// anyone on the endpoint) scrapes, a ban waits behind at most one such dump.
actor DropCounterReading: ScrapeSource {
    static let interval: UInt64 = 1_000_000_000
    private let bans: BanService
    private let packets = CounterMirrors(.droppedPackets)
    private let bytes = CounterMirrors(.droppedBytes)
    private var readAt: UInt64?
    private var reading: Task<Void, Never>?

    init(bans: BanService) { self.bans = bans }

    func refresh() async {
        if let reading { return await reading.value }
        let now = MonotonicClock.now()
        if let readAt, now &- readAt < Self.interval { return }
        let task = Task { [bans, packets, bytes] in
            guard let counts = await bans.dropCounters() else { return }
            for (family, count) in counts {
                packets.follow(count.packets, labels: [("family", family.metricLabel)])
                bytes.follow(count.bytes, labels: [("family", family.metricLabel)])
            }
        }
        reading = task
        await task.value
        reading = nil
        readAt = now
    }
}
