import Dispatch
import Glibc
import Synchronization

/// A serial executor backed by one dedicated thread, optionally moved into a network namespace
/// before it runs anything. `NftablesBanner` runs on it, so libnftables (blocking, not
/// thread-safe) never occupies the cooperative pool, and its netlink socket is created in the
/// namespace the thread lives in.
final class NftThreadExecutor: SerialExecutor {
    /// Jobs to run, and whether the thread waits on `wakeup` (then an enqueue must signal it).
    private let jobs = Mutex<(queue: [UnownedJob], sleeping: Bool)>(([], false))
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
            nsFD = open(namespace, O_RDONLY | O_CLOEXEC)
            guard nsFD >= 0 else { throw .namespaceUnavailable(namespace, errno) }
        }
        let start = Unmanaged.passRetained(ThreadStart(executor: self, namespaceFD: nsFD))
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            let start = Unmanaged<ThreadStart>.fromOpaque(raw!).takeRetainedValue()
            start.run()
            return nil
        }, start.toOpaque())
        guard rc == 0 else {
            start.release()
            if nsFD >= 0 { close(nsFD) }
            throw .threadUnavailable(rc)
        }
        pthread_detach(thread)
    }

    /// Why the thread could not enter its namespace, if it could not.
    var namespaceError: Int32 { namespaceErrno.load(ordering: .acquiring) }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if jobs.withLock({ $0.queue.append(job); return Self.wake(&$0) }) { wakeup.signal() }
    }

    /// Whether the thread sleeps and must be signalled (at most once per sleep).
    private static func wake(_ state: inout (queue: [UnownedJob], sleeping: Bool)) -> Bool {
        defer { state.sleeping = false }
        return state.sleeping
    }

    /// Runs jobs in batches, for the life of the process (an idle thread only waits; ending it
    /// would strand any job enqueued later, such as a call made after `shutdown()`). It sleeps
    /// only when the queue is empty, so a busy thread costs enqueuers no wake-up.
    private func loop() -> Never {
        while true {
            let batch = jobs.withLock { state in
                defer { state.queue.removeAll(keepingCapacity: true) }
                if state.queue.isEmpty { state.sleeping = true }
                return state.queue
            }
            for job in batch { job.runSynchronously(on: asUnownedSerialExecutor()) }
            if batch.isEmpty { wakeup.wait() }
        }
    }

    /// setns(2): glibc declares it only under _GNU_SOURCE, which the Glibc module does not set.
    private static let setns: @convention(c) (Int32, Int32) -> Int32 = {
        unsafeBitCast(dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setns")!, to: (@convention(c) (Int32, Int32) -> Int32).self)
    }()
    private static let cloneNewNet: Int32 = 0x4000_0000   // CLONE_NEWNET

    /// What the new thread needs; passed through pthread_create's argument.
    private final class ThreadStart {
        let executor: NftThreadExecutor
        let namespaceFD: Int32
        init(executor: NftThreadExecutor, namespaceFD: Int32) { self.executor = executor; self.namespaceFD = namespaceFD }

        func run() {
            if namespaceFD >= 0 {
                if NftThreadExecutor.setns(namespaceFD, NftThreadExecutor.cloneNewNet) != 0 { executor.namespaceErrno.store(errno, ordering: .releasing) }
                close(namespaceFD)
            }
            executor.loop()
        }
    }
}
