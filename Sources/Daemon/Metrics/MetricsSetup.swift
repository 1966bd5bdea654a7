import CoreMetrics
import PortsentryCore
import Prometheus

/// With METRICS_LISTEN set: the one registry every metric of the process goes to. swift-metrics
/// is bootstrapped with it (once per process, before anything makes a metric), and the build's
/// version and the start time are set. Without METRICS_LISTEN, swift-metrics' no-op factory
/// stays and every count costs nothing.
enum MetricsSetup {
    static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(DescribedMetricsFactory(registry: registry))
        recordBuild()
        return registry
    }

    /// `portsentry_build_info{version,commit} 1` and `portsentry_start_time_seconds`.
    static func recordBuild() {
        Gauge(label: MetricName.buildInfo.rawValue,
              dimensions: [("version", PortsentryVersion.number), ("commit", PortsentryVersion.gitHash)]).record(1)
        Gauge(label: MetricName.startTime.rawValue).record(WallClock.nowMs() / 1000)
    }
}
