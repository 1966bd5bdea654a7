/// Counts the control connections closed to make room, for a warning at most once a minute.
struct EvictionReport {
    private var count = 0
    private var lastReport: UInt64?

    static let interval: UInt64 = 60_000_000_000

    /// Records one eviction at `now` (monotonic nanoseconds); returns the number to report when a
    /// warning is due: the first eviction, then the count since the last warning, once a minute.
    mutating func record(at now: UInt64) -> Int? {
        count += 1
        if let lastReport, now - lastReport < Self.interval { return nil }
        defer { count = 0; lastReport = now }
        return count
    }
}
