import Firewall
import Logging
import PortsentryCore
import Prometheus

extension Daemon {
    /// What the endpoint reads at each scrape: bans in force and the sets' size, the nft drop
    /// counters, capture statistics, the fleet link's counters.
    func scrapeSources() -> [any ScrapeSource] {
        let capacity = bans.backend.kind == .nftables ? config.nftSetSize : nil
        return [BanTableGauges(bans: bans, capacity: capacity), DropCounterReading(bans: bans),
                CaptureReading(statistics: { [runner] in runner.captureStatistics() })]
            + (fleet.map { [FleetReading(fleet: $0)] } ?? [])
    }

    /// Serves METRICS_LISTEN; nil, with the error logged, when it cannot listen there (the
    /// daemon runs on without metrics: blocking scans matters more). Changing it takes a restart.
    func startMetricsEndpoint(registry: PrometheusCollectorRegistry) async -> MetricsEndpoint? {
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
