import Firewall
import PortsentryCore

/// `portsentry_dropped_packets_total` / `portsentry_dropped_bytes_total`: what the bans'
/// rules dropped, from our named nft counters. The read must run on the ban backend's thread
/// (it owns the netlink context): it waits there between two batches and holds the next one for
/// one object dump (tens of µs). So it is not done at scrape time but once a second by the
/// metrics service (`run`): however often the endpoint is scraped, a ban waits behind at most
/// one dump a second, and a scrape never waits for the backend (behind a flood's batches, the
/// counts it shows are older than a second).
struct DropCounterReading: Sendable {
    static let interval: Duration = .seconds(1)
    let bans: BanService
    private let packets = CounterMirrors(.droppedPackets)
    private let bytes = CounterMirrors(.droppedBytes)

    init(bans: BanService) { self.bans = bans }

    /// One reading (none from a backend that does not count).
    func read() async {
        for (family, count) in await bans.dropCounters() ?? [:] {
            packets.follow(count.packets, labels: [("family", family.metricLabel)])
            bytes.follow(count.bytes, labels: [("family", family.metricLabel)])
        }
    }

    /// Reads every `interval` until the calling task is cancelled.
    func run() async {
        while !Task.isCancelled {
            await read()
            try? await Task.sleep(for: Self.interval)
        }
    }
}
