import Dispatch
import PortsentryCore
import Synchronization

/// A dedicated thread that runs scheduled closures in order: the home of the backends whose
/// work blocks (the legacy commands) or does nothing (the dry run).
public final class SerialThread: Sendable {
    private let work = Mutex<[@Sendable () -> Void]>([])
    private let wakeup = DispatchSemaphore(value: 0)

    public init() {
        DedicatedThread.startRequired { [self] in loop() }
    }

    public func schedule(_ job: @escaping @Sendable () -> Void) {
        if work.withLock({ $0.append(job); return $0.count == 1 }) { wakeup.signal() }
    }

    private func loop() -> Never {
        while true {
            let jobs = work.withLock { queue in
                defer { queue.removeAll(keepingCapacity: true) }
                return queue
            }
            if jobs.isEmpty { wakeup.wait() } else { jobs.forEach { $0() } }
        }
    }
}
