import PortsentryCore

/// Rate-limits the line for events from sources the kernel already drops: at most one
/// report per source per interval, carrying how many events arrived since the last one.
/// Bounded: when full, the table is cleared (the next event of each source reports again).
struct BannedHitReporter: Sendable {
    let interval: Int
    let capacity: Int
    private var table: [IPAddress: (count: Int, reportedAt: Int)] = [:]

    init(interval: Int, capacity: Int) {
        self.interval = interval
        self.capacity = capacity
    }

    /// Counts one event; returns the count to report now, or nil to stay quiet.
    mutating func hit(_ source: IPAddress, now: Int) -> Int? {
        if var entry = table[source] {
            entry.count += 1
            if now - entry.reportedAt >= interval {
                table[source] = (0, now)
                return entry.count
            }
            table[source] = entry
            return nil
        }
        if table.count >= capacity { table.removeAll(keepingCapacity: true) }
        table[source] = (0, now)
        return 1
    }
}
