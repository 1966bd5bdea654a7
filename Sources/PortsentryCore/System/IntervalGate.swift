/// Lets something through at most once per `interval` (a log line a minute under a flood).
/// A plain value on the caller's clock, in milliseconds.
public struct IntervalGate: Sendable, Hashable {
    public let interval: Int64
    private var last: Int64?

    public init(interval: Int64) { self.interval = interval }

    /// Whether it may pass at `now`; when it does, the next pass waits a whole interval.
    public mutating func pass(at now: Int64) -> Bool {
        if let last, now - last < interval { return false }
        last = now
        return true
    }
}
