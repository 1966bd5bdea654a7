import Glibc

/// Clock readings (vDSO calls, no syscall): `ProbeEvent.seenAt`, deadlines and delays.
public enum MonotonicClock {
    /// `CLOCK_MONOTONIC` now, in nanoseconds.
    public static func now() -> UInt64 { read(CLOCK_MONOTONIC) }

    /// `CLOCK_MONOTONIC` now, in whole seconds.
    public static func seconds() -> Int { Int(now() / 1_000_000_000) }

    /// Realtime minus monotonic: subtract it from a kernel (realtime) capture timestamp.
    public static func realtimeOffset() -> UInt64 { read(CLOCK_REALTIME) &- read(CLOCK_MONOTONIC) }

    private static func read(_ clock: clockid_t) -> UInt64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
