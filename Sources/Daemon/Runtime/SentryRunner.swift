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
    /// The running sentry (nil while none runs), how many were started, and what the sentries
    /// stopped before it counted (a reload's new sentry counts from zero).
    private let state = Mutex<(running: Running?, started: Int, retired: [String: CaptureStatistics])>((nil, 0, [:]))
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

    /// Per interface, what every capture since the daemon started received and dropped.
    func captureStatistics() -> [CaptureStatistics] {
        state.withLock { s in
            var totals = s.retired
            Self.add(s.running, to: &totals)
            return totals.values.sorted { $0.interface < $1.interface }
        }
    }

    private static func add(_ running: Running?, to totals: inout [String: CaptureStatistics]) {
        for c in running?.sentry.captureStatistics() ?? [] { totals[c.interface] = totals[c.interface].map { $0 + c } ?? c }
    }

    /// Stops the running sentry and waits (2 s at most) until it has released its sockets.
    func stop() async {
        guard let current = state.withLock({ s -> Running? in
            defer { s.running = nil }
            Self.add(s.running, to: &s.retired)
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
