import Dispatch
import Glibc
import PortsentryCore
import Synchronization

/// A serial executor backed by one dedicated thread, optionally moved into a network namespace
/// before it runs anything. `NftablesBackend` runs on it, so libnftables (blocking, not
/// thread-safe) never occupies the cooperative pool, and its netlink socket is created in the
/// namespace the thread lives in.
final class NftThreadExecutor: SerialExecutor {
    /// Work for the thread: a Swift job, or a plain closure from `runBlocking`.
    private enum Work: @unchecked Sendable {
        // @unchecked: UnownedJob is not Sendable, but a job is handed over exactly once, from the
        // enqueuing thread to this executor's thread, under the `jobs` lock.
        case job(UnownedJob)
        case closure(@Sendable () -> Void)
    }
    /// Work to run, and whether the thread waits on `wakeup` (then an enqueue must signal it).
    private let jobs = Mutex<(queue: [Work], sleeping: Bool)>(([], false))
    /// The executor's thread, for `checkIsolated`.
    private let thread = Mutex<pthread_t?>(nil)
    private let wakeup = DispatchSemaphore(value: 0)
    /// The errno of a failed setns(2), or 0; read once the first job runs.
    private let namespaceErrno = Atomic<Int32>(0)
    /// The namespace the thread enters, if any.
    let namespace: String?

    /// Starts the thread; `namespace` is a path such as `/run/netns/NAME`, nil to stay put.
    init(namespace: String?) throws(NftError) {
        self.namespace = namespace
        var nsFD: Int32 = -1
        if let namespace {
            do { nsFD = try NetworkNamespace.open(namespace) } catch { throw .namespaceUnavailable(namespace, error.code) }
        }
        do {
            try DedicatedThread.start { [self, nsFD] in
                if nsFD >= 0 {
                    namespaceErrno.store(NetworkNamespace.enter(fd: nsFD), ordering: .releasing)
                    close(nsFD)
                }
                loop()
            }
        } catch {
            if nsFD >= 0 { close(nsFD) }
            throw .threadUnavailable(error.code)
        }
    }

    /// Why the thread could not enter its namespace, if it could not.
    var namespaceError: Int32 { namespaceErrno.load(ordering: .acquiring) }

    func enqueue(_ job: consuming ExecutorJob) {
        push(.job(UnownedJob(job)))
    }

    /// Runs `body` on the executor's thread and waits for its result: for callers on a
    /// dedicated thread of their own (never the cooperative pool, never this thread), it saves
    /// the two hops through the pool that `await` would cost.
    func runBlocking<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<T?>(nil)
        push(.closure {
            let value = body()
            result.withLock { $0 = value }
            done.signal()
        })
        done.wait()
        return result.withLock { $0! }
    }

    /// Runs `body` on the executor's thread after what is queued, without waiting for it.
    func schedule(_ body: @escaping @Sendable () -> Void) {
        push(.closure(body))
    }

    /// Whether the caller runs on the executor's thread.
    var isCurrentThread: Bool {
        let current = pthread_self()
        return thread.withLock { $0.map { pthread_equal($0, current) != 0 } ?? false }
    }

    /// Lets `assumeIsolated` succeed for closures from `runBlocking` and `schedule`, which run
    /// outside a job.
    func checkIsolated() {
        precondition(isCurrentThread, "not on the nftables executor's thread")
    }

    private func push(_ work: Work) {
        if jobs.withLock({ $0.queue.append(work); return Self.wake(&$0) }) { wakeup.signal() }
    }

    /// Whether the thread sleeps and must be signalled (at most once per sleep).
    private static func wake(_ state: inout (queue: [Work], sleeping: Bool)) -> Bool {
        defer { state.sleeping = false }
        return state.sleeping
    }

    /// Runs jobs in batches, for the life of the process (an idle thread only waits; ending it
    /// would strand any job enqueued later, such as a call made after `shutdown()`). It sleeps
    /// only when the queue is empty, so a busy thread costs enqueuers no wake-up.
    private func loop() -> Never {
        thread.withLock { $0 = pthread_self() }
        while true {
            let batch = jobs.withLock { state in
                defer { state.queue.removeAll(keepingCapacity: true) }
                if state.queue.isEmpty { state.sleeping = true }
                return state.queue
            }
            for work in batch {
                switch work {
                case .job(let job): job.runSynchronously(on: asUnownedSerialExecutor())
                case .closure(let body): body()
                }
            }
            if batch.isEmpty { wakeup.wait() }
        }
    }
}
