import Firewall
import Logging
import PortsentryCore
import Prometheus

extension Daemon {
    /// What the endpoint reads at each scrape: bans in force and the sets' size, capture
    /// statistics, the fleet link's counters (the nft drop counters are read once a second:
    /// `DropCounterReading`).
    func scrapeSources() -> [any ScrapeSource] {
        let capacity = bans.backend.kind == .nftables ? config.nftSetSize : nil
        return [BanTableGauges(bans: bans, capacity: capacity), CaptureReading(statistics: { [runner] in runner.captureStatistics() })]
            + (fleet.map { [FleetReading(fleet: $0)] } ?? [])
    }

    /// With METRICS_LISTEN: its service (the endpoint and the drop counters' reading loop).
    func metricsService(registry: PrometheusCollectorRegistry?) async -> MetricsService {
        guard let registry else { return MetricsService(endpoint: nil, drops: nil) }
        return MetricsService(endpoint: await startMetricsEndpoint(registry: registry), drops: DropCounterReading(bans: bans))
    }

    /// Serves METRICS_LISTEN; nil, with the error logged, when it cannot listen there (the
    /// daemon runs on without metrics: blocking scans matters more). Changing it takes a restart.
    private func startMetricsEndpoint(registry: PrometheusCollectorRegistry) async -> MetricsEndpoint? {
        guard let listen = config.metricsListen else { return nil }
        do {
            let endpoint = try await MetricsEndpoint.start(listen, registry: registry, sources: scrapeSources())
            logger.info("Metrics: http://\(listen)/metrics")
            if !listen.isLoopback {
                logger.warning("METRICS_LISTEN=\"\(listen)\" is not a loopback address: anyone who reaches it can read the metrics (no authentication); let only the Prometheus server through (docs/metrics.md)")
            }
            return endpoint
        } catch {
            logger.error("Metrics endpoint unavailable, cannot listen on \(listen): \(error)")
            return nil
        }
    }
}
