import Glibc

/// Monotonic nanoseconds.
func nowNs() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Percentiles of a list of durations in nanoseconds, printed in microseconds.
struct LatencySummary: CustomStringConvertible {
    let p50: Double, p99: Double, mean: Double, count: Int

    init(_ samples: [UInt64]) {
        let sorted = samples.sorted()
        func us(_ ns: UInt64) -> Double { Double(ns) / 1000 }
        count = sorted.count
        p50 = us(sorted[sorted.count / 2])
        p99 = us(sorted[min(sorted.count - 1, sorted.count * 99 / 100)])
        mean = Double(sorted.reduce(0, +)) / Double(sorted.count) / 1000
    }

    var description: String {
        "n=\(count) p50=\(fmt(p50)) us p99=\(fmt(p99)) us mean=\(fmt(mean)) us"
    }
}

func fmt(_ x: Double, _ digits: Int = 1) -> String {
    let scale = Double((0..<digits).reduce(1) { a, _ in a * 10 })
    return String(Double((x * scale).rounded()) / scale)
}
