import ServiceLifecycle

/// The metrics endpoint and the drop counters' reading loop, until graceful shutdown; then the
/// endpoint is closed.
struct MetricsService: Service {
    let endpoint: MetricsEndpoint?
    let drops: DropCounterReading?

    func run() async {
        await withTaskGroup(of: Void.self) { group in
            if let drops { group.addTask { await drops.run() } }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        await endpoint?.close()
    }
}
