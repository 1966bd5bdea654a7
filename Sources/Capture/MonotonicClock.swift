import Glibc

/// Clock readings for `ProbeEvent.seenAt` (vDSO calls, no syscall).
enum MonotonicClock {
    static func now() -> UInt64 { read(CLOCK_MONOTONIC) }

    /// Realtime minus monotonic: subtract it from a kernel (realtime) capture timestamp.
    static func realtimeOffset() -> UInt64 { read(CLOCK_REALTIME) &- read(CLOCK_MONOTONIC) }

    private static func read(_ clock: clockid_t) -> UInt64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
