import CoreMetrics
import PortsentryCore

/// The counters of one metric, one per combination of label values, made up front with the
/// metrics factory in force (so every series is exported from 0, and counting is one atomic add).
struct CounterTable<Key: Hashable & Sendable>: Sendable {
    private let counters: [Key: Counter]

    init(_ name: MetricName, _ keys: [Key], labels: (Key) -> [(String, String)]) {
        counters = Dictionary(keys.map { ($0, Counter(label: name.rawValue, dimensions: labels($0))) }, uniquingKeysWith: { a, _ in a })
    }

    func increment(_ key: Key, by amount: Int = 1) { counters[key]?.increment(by: amount) }

    /// The counter of `key`, for one that follows a total read elsewhere (`CounterMirror`).
    subscript(key: Key) -> Counter? { counters[key] }
}
