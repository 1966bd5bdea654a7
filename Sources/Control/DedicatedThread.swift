#if canImport(Glibc)
import Glibc
#endif

/// Runs blocking work (socket loops, `poll`) on its own POSIX thread, off the cooperative pool.
enum DedicatedThread {
    private final class Work {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Starts a detached thread running `body`.
    static func start(_ body: @escaping @Sendable () -> Void) throws(ControlError) {
        let work = Unmanaged.passRetained(Work(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            Unmanaged<Work>.fromOpaque(raw).takeRetainedValue().body()
            return nil
        }, work)
        guard rc == 0 else {
            Unmanaged<Work>.fromOpaque(work).release()
            throw .system(operation: "pthread_create", errno: rc)
        }
        pthread_detach(thread)
    }

    /// Runs blocking `body` on a new thread and returns its result without holding a pool thread.
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> Result<T, ControlError>)
        async throws(ControlError) -> T
    {
        let result: Result<T, ControlError> = await withCheckedContinuation { continuation in
            do throws(ControlError) {
                try start { continuation.resume(returning: body()) }
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }
        return try result.get()
    }
}
