import TestSupport
import Capture
import Dispatch
import Foundation
import PortsentryCore
import Synchronization

/// A sink that keeps every probe it receives.
final class CollectingSink: ProbeSink {
    private let events = Mutex<[ProbeEvent]>([])

    func receive(_ event: ProbeEvent) -> Verdict {
        events.withLock { $0.append(event) }
        return Verdict(event: event, outcome: ScanOutcome())
    }

    var received: [ProbeEvent] { events.withLock { $0 } }
    func reset() { events.withLock { $0.removeAll() } }
}

/// A sentry made, prepared and run on its own thread inside a network namespace (`prepare` opens
/// its capture resources, so it must run in the namespace too).
final class RunningSentry: Sendable {
    let sink = CollectingSink()
    private let sentry = Mutex<(any Sentry)?>(nil)
    private let finished = DispatchSemaphore(value: 0)
    private let failure = Mutex<String?>(nil)

    init(namespace: String, _ make: @escaping @Sendable () throws -> any Sentry) {
        Thread { [self] in
            do {
                try NetworkNamespace.enter(namespace)
                let made = try make()
                sentry.withLock { $0 = made }
                try made.prepare()
                try made.run(sink)
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
            finished.signal()
        }.start()
    }

    /// The sentry's capture statistics.
    var statistics: [CaptureStatistics] { sentry.withLock { $0?.captureStatistics() } ?? [] }

    /// The error `run` threw, if it has ended.
    var error: String? { failure.withLock { $0 } }

    /// Sends `marker` until the sentry reports it (its handles and filters are live), then forgets it.
    func waitUntilCapturing(_ network: TestNetwork, marker: ProbeFrame) throws {
        let live = try eventually {
            if let e = error { throw TestFailure(e) }
            try network.send([marker])
            return sink.received.contains { $0.port == marker.port }
        }
        guard live else { throw TestFailure("the sentry never saw the marker probe") }
        sink.reset()
    }

    /// Stops the sentry and waits (up to 5 s) for the thread to end.
    func stop() -> Bool {
        sentry.withLock { $0?.stop() }
        return finished.wait(timeout: .now() + 5) == .success
    }
}

extension ProbeFrame {
    var port: UInt16 {
        switch transport {
        case .tcp(let p, _), .udp(let p): return p
        case .other: return 0
        }
    }
}
