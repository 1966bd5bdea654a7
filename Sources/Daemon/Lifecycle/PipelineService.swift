import ServiceLifecycle

/// Keeps the pipeline open until graceful shutdown; then lets it finish what is queued (one
/// second at most, so a stuck KILL_* command cannot hold up shutdown).
struct PipelineService: Service {
    let pipeline: EventPipeline

    func run() async {
        try? await gracefulShutdown()
        await waitForCompletion(within: .seconds(1)) { pipeline.close(done: $0) }
    }
}
