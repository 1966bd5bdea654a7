import PortsentryCore

/// Rate limit for the "a service is running" line: once per `interval` per (source, port).
/// A fixed direct-mapped table: O(1), bounded memory; a collision can only let a line through early.
struct ServiceLogLimiter {
    private struct Slot { var source: IPAddress; var port: UInt16; var at: UInt64 }
    private var slots: [Slot?]
    private let interval: UInt64

    init(slots count: Int = 4096, interval: UInt64 = 60_000_000_000) {
        slots = Array(repeating: nil, count: count)
        self.interval = interval
    }

    /// True if the line for this pair should be logged now (and records it).
    mutating func shouldLog(source: IPAddress, port: UInt16, now: UInt64) -> Bool {
        var hasher = Hasher()
        hasher.combine(source)
        hasher.combine(port)
        let i = Int(UInt(bitPattern: hasher.finalize()) % UInt(slots.count))
        if let s = slots[i], s.source == source, s.port == port, now &- s.at < interval { return false }
        slots[i] = Slot(source: source, port: port, at: now)
        return true
    }
}
