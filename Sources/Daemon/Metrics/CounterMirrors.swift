import CoreMetrics
import PortsentryCore
import Synchronization

/// The counters of one metric that follow totals counted elsewhere (the kernel's nft counters,
/// libpcap's and AF_PACKET's counts, the fleet link's): each reading adds what a total grew by;
/// a total that went down (its source was made again) starts its counter again from it. A
/// series is made at its first reading, with the metrics factory in force when this was made.
final class CounterMirrors: Sendable {
    private let name: MetricName
    private let factory: any MetricsFactory
    private let series = Mutex<[String: (counter: Counter, last: UInt64)]>([:])

    init(_ name: MetricName) {
        self.name = name
        factory = MetricsSystem.factory
    }

    /// Brings the series of `labels` to `total`.
    func follow(_ total: UInt64, labels: [(String, String)] = []) {
        let key = labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
        series.withLock { series in
            let (counter, last) = series[key] ?? (Counter(label: name.rawValue, dimensions: labels, factory: factory), 0)
            if total < last { counter.reset() }
            counter.increment(by: Int64(clamping: total < last ? total : total - last))
            series[key] = (counter, total)
        }
    }
}
