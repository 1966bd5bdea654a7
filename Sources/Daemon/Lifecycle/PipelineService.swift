import ServiceLifecycle

/// Keeps the pipeline open until graceful shutdown; then lets it finish what is queued (one
/// second at most, so a stuck KILL_* command cannot hold up shutdown).
struct PipelineService: Service {
    let pipeline: EventPipeline

    func run() async {
        try? await gracefulShutdown()
        let (drained, done) = AsyncStream.makeStream(of: Void.self)
        pipeline.close { done.finish() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await _ in drained {} }
            group.addTask { try? await Task.sleep(for: .seconds(1)) }
            await group.next()
            group.cancelAll()
        }
    }
}
