import Synchronization

/// Hands what a sentry's `prepare` opened to its `run`, which may run on another thread: put
/// once, taken once. The value is used by one thread at a time (prepare happens-before run).
final class Handover<Value>: @unchecked Sendable {
    private let lock = Mutex(())
    private var value: Value?

    func put(_ new: Value) { lock.withLock { _ in value = new } }

    /// The value, or nil if nothing was put (or it was taken already).
    func take() -> Value? {
        lock.withLock { _ in
            defer { value = nil }
            return value
        }
    }
}
