import Dispatch
import Firewall
import Synchronization

/// Where the pipeline's work runs, in order, one piece at a time.
protocol PipelineHost: Sendable {
    func schedule(_ work: @escaping @Sendable () -> Void)
}

/// A dedicated thread that runs scheduled closures in order: the pipeline's home when bans are
/// made by legacy commands (which block it while they run).
final class SerialThread: PipelineHost {
    private let work = Mutex<[@Sendable () -> Void]>([])
    private let wakeup = DispatchSemaphore(value: 0)

    init() {
        startThread { [self] in loop() }
    }

    func schedule(_ job: @escaping @Sendable () -> Void) {
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

/// With nftables, the pipeline runs on the backend's own thread: a ban is committed where the
/// batch is processed, without waking another thread and waiting for it.
struct NftablesHost: PipelineHost {
    let banner: NftablesBanner
    func schedule(_ work: @escaping @Sendable () -> Void) { banner.schedule(work) }
}
