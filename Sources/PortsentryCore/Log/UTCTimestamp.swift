import Glibc

/// RFC 3339 times in UTC with microseconds, `2026-11-21T23:06:37.403512Z`: the EVENT_LOG's
/// timestamps (docs/events.md), sortable as text.
public enum UTCTimestamp {
    /// Microseconds since the Unix epoch, now (CLOCK_REALTIME).
    public static func nowMicros() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return Int64(t.tv_sec) * 1_000_000 + Int64(t.tv_nsec) / 1000
    }

    /// The wall-clock time, in microseconds, of `monotonic` (`CLOCK_MONOTONIC` nanoseconds, such
    /// as a probe's capture time); now when `monotonic` is 0 (unknown).
    public static func micros(ofMonotonic monotonic: UInt64) -> Int64 {
        guard monotonic > 0 else { return nowMicros() }
        return Int64(clamping: (monotonic &+ MonotonicClock.realtimeOffset()) / 1000)
    }

    /// `micros` (since the epoch) as `YYYY-MM-DDThh:mm:ss.ffffffZ`, with `fractionDigits` (1–6)
    /// digits of the second, truncated: 3 for the milliseconds CrowdSec's alerts carry.
    public static func text(micros: Int64, fractionDigits: Int = 6) -> String {
        var seconds = time_t(micros.floorDivided(by: 1_000_000))
        let fraction = Int(micros - Int64(seconds) * 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return digits(parts.tm_year + 1900, 4) + "-" + digits(parts.tm_mon + 1, 2) + "-" + digits(parts.tm_mday, 2)
            + "T" + digits(parts.tm_hour, 2) + ":" + digits(parts.tm_min, 2) + ":" + digits(parts.tm_sec, 2)
            + "." + String(digits(Int32(fraction), 6).prefix(fractionDigits)) + "Z"
    }
}

extension Int64 {
    /// Division rounding towards minus infinity (a time before the epoch stays in its second).
    fileprivate func floorDivided(by d: Int64) -> Int64 {
        let q = self / d
        return (self % d < 0) ? q - 1 : q
    }
}
