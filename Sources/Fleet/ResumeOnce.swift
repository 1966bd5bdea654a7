import Synchronization

/// A continuation resumed exactly once, by whichever comes first: the answer, or the caller's
/// cancellation (which may even come before the continuation is stored).
final class ResumeOnce<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value, any Error>?
        var early: Result<Value, any Error>?
        var done = false
    }
    private let state = Mutex(State())

    func store(_ continuation: CheckedContinuation<Value, any Error>) {
        let early = state.withLock { s -> Result<Value, any Error>? in
            if let early = s.early { s.early = nil; return early }
            s.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func resume(_ result: Result<Value, any Error>) {
        let continuation = state.withLock { s -> CheckedContinuation<Value, any Error>? in
            guard !s.done else { return nil }
            s.done = true
            guard let c = s.continuation else { s.early = result; return nil }
            s.continuation = nil
            return c
        }
        continuation?.resume(with: result)
    }
}
