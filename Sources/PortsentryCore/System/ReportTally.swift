/// Counts occurrences for a rate-limited report: the first is reported at once, later ones at
/// most once per interval, each report carrying the number since the previous one.
public struct ReportTally: Sendable, Hashable {
    private var gate: IntervalGate
    private var pending = 0

    public init(interval: Int64) { gate = IntervalGate(interval: interval) }

    /// Counts `n` more at `now`; returns the number to report now, or nil to stay quiet.
    public mutating func add(_ n: Int = 1, at now: Int64) -> Int? {
        pending += n
        return due(at: now)
    }

    /// What is pending, if a report is due at `now` (for a periodic check after a flood ends).
    public mutating func due(at now: Int64) -> Int? {
        guard pending > 0, gate.pass(at: now) else { return nil }
        defer { pending = 0 }
        return pending
    }
}
