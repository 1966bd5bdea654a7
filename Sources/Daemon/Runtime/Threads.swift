import Dispatch
import Glibc

/// Starts `body` on a new detached POSIX thread (for blocking loops: capture, commands),
/// so the cooperative pool (2 threads here) never blocks.
func startThread(_ body: @escaping @Sendable () -> Void) {
    final class Box: Sendable {
        let body: @Sendable () -> Void
        init(_ b: @escaping @Sendable () -> Void) { body = b }
    }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { raw in
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        box.body()
        return nil
    }, box)
    precondition(rc == 0, "pthread_create failed: \(rc)")
    pthread_detach(thread)
}

/// Waits on the calling (dedicated) thread for an async operation to finish.
/// Never call it from the cooperative pool.
func awaitBlocking<T: Sendable>(_ operation: @escaping @Sendable () async -> T) -> T {
    let done = DispatchSemaphore(value: 0)
    let result = ResultBox<T>()
    Task {
        result.value = await operation()
        done.signal()
    }
    done.wait()
    return result.value!
}

/// Holds a value written by one task before a semaphore signal and read after the wait.
/// Safe without a lock: the semaphore orders the single write before the single read.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

extension String {
    /// Text of a NUL-terminated C buffer filled by a libc call.
    init(nulTerminated buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
