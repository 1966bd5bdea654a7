import ServiceLifecycle

/// The metrics endpoint, closed when the group shuts down.
struct MetricsService: Service {
    let endpoint: MetricsEndpoint?

    func run() async throws {
        try? await gracefulShutdown()
        await endpoint?.close()
    }
}
