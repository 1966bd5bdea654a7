import Capture
import ServiceLifecycle

/// Runs the sentries until graceful shutdown. A sentry that fails on its own (capture lost)
/// throws, which shuts the whole group down: nothing would be watched.
struct SentryService: Service {
    let runner: SentryRunner
    let first: any Sentry

    func run() async throws {
        runner.start(first)
        let failure = await cancelWhenGracefulShutdown { [runner] () -> (any Error)? in
            for await error in runner.failures { return error }
            return nil
        }
        await runner.stop()
        if let failure { throw failure }
    }
}
