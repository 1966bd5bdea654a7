import CoreMetrics
import Prometheus
@testable import Daemon

/// A Prometheus registry of its own behind the daemon's metrics factory, and what it renders:
/// metrics made inside `make` count here, so tests running at once do not mix their counts.
struct RegistryScrape {
    let registry = PrometheusCollectorRegistry()

    /// Runs `body` with this registry's factory bound (swift-metrics' task-local factory).
    func make<T>(_ body: () throws -> T) rethrows -> T {
        try withMetricsFactory(DescribedMetricsFactory(registry: registry), body)
    }

    /// The exposition text, as the endpoint serves it.
    var text: String { registry.emitToString() }

    /// The value of the series written exactly `series` (`name{label="value",...}`), or nil.
    func value(_ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }
}
