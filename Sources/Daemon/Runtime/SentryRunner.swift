import Capture
import Glibc
import Logging
import PortsentryCore
import Synchronization

/// Runs the sentry on its own thread and swaps it for another when SIGHUP changes what is
/// watched. A sentry that fails while running is reported on `failures` (nothing is watched).
final class SentryRunner: Sendable {
    private struct Running: Sendable {
        let sentry: any Sentry
        let finished: AsyncStream<Void>
        let generation: Int
    }
    /// The running sentry (nil while none runs) and how many were started.
    private let state = Mutex<(running: Running?, started: Int)>((nil, 0))
    private let sink: any ProbeSink
    private let logger: Logger
    /// Errors of the current sentry failing on its own.
    let failures: AsyncStream<any Error>
    private let failureSink: AsyncStream<any Error>.Continuation

    init(sink: any ProbeSink, logger: Logger) {
        self.sink = sink
        self.logger = logger
        (failures, failureSink) = AsyncStream.makeStream(of: (any Error).self)
    }

    /// Starts a prepared sentry on a new thread.
    func start(_ sentry: any Sentry) {
        let (finished, done) = AsyncStream.makeStream(of: Void.self)
        let generation = state.withLock { s in
            s.started += 1
            s.running = Running(sentry: sentry, finished: finished, generation: s.started)
            return s.started
        }
        DedicatedThread.startRequired { [self] in
            do {
                try sentry.run(sink)
            } catch {
                // Only the current sentry failing on its own stops the daemon.
                if state.withLock({ $0.running?.generation == generation }) {
                    logger.error("Capture stopped: \(error)")
                    failureSink.yield(error)
                }
            }
            done.finish()
        }
    }

    /// Stops the running sentry and waits (2 s at most) until it has released its sockets.
    func stop() async {
        guard let current = state.withLock({ s -> Running? in
            defer { s.running = nil }
            return s.running
        }) else { return }
        current.sentry.stop()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await _ in current.finished {} }
            group.addTask { try? await Task.sleep(for: .seconds(2)) }
            await group.next()
            group.cancelAll()
        }
    }
}
