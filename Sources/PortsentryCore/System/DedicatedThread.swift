import Glibc

/// POSIX threads for blocking loops (capture, commands, the control socket, libnftables), so
/// the cooperative pool (two threads here) never blocks. The one place threads are started.
public enum DedicatedThread {
    private final class Work {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Why a thread could not start: pthread_create's error number.
    public struct StartError: Error, Sendable, Hashable, CustomStringConvertible {
        public let code: Int32
        public var description: String { "cannot start a thread: \(String(cString: strerror(code)))" }
    }

    /// Starts a detached thread running `body`; throws if the system refuses one.
    public static func start(_ body: @escaping @Sendable () -> Void) throws(StartError) {
        let work = Unmanaged.passRetained(Work(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            Unmanaged<Work>.fromOpaque(raw!).takeRetainedValue().body()
            return nil
        }, work)
        guard rc == 0 else {
            Unmanaged<Work>.fromOpaque(work).release()
            throw StartError(code: rc)
        }
        pthread_detach(thread)
    }

    /// Starts a thread the daemon cannot run without (a sentry, a backend's thread): a refusal
    /// means the process is out of resources, and stops it with the reason.
    public static func startRequired(_ body: @escaping @Sendable () -> Void) {
        do { try start(body) } catch { fatalError("\(error)") }
    }

    /// Runs blocking `body` on a new thread and returns its result without holding a pool thread.
    /// Its error type is concrete on purpose: a form generic over the error (`async throws(E)`)
    /// corrupted the caller's async frame under Swift 6.3.1 (a crash two tests later).
    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async throws(StartError) -> T {
        let result: Result<T, StartError> = await withCheckedContinuation { continuation in
            do throws(StartError) {
                try start { continuation.resume(returning: .success(body())) }
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }
        return try result.get()
    }
}
