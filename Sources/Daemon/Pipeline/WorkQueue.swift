import Dispatch
import Synchronization

/// A multi-producer queue drained in batches by one consumer thread.
/// `push` never blocks (capture threads call it); `nextBatch` blocks until work arrives.
final class WorkQueue<Item: Sendable>: Sendable {
    private let items = Mutex<(pending: [Item], closed: Bool)>(([], false))
    private let wakeup = DispatchSemaphore(value: 0)
    /// Items beyond this are dropped (and counted) so a flood cannot grow memory without bound.
    let limit: Int
    private let droppedCount = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    var dropped: Int { droppedCount.load(ordering: .relaxed) }

    func push(_ item: Item) {
        let wasEmpty: Bool? = items.withLock { state in
            guard !state.closed else { return nil }
            guard state.pending.count < limit else { return nil }
            state.pending.append(item)
            return state.pending.count == 1
        }
        switch wasEmpty {
        case nil: droppedCount.add(1, ordering: .relaxed)
        case true?: wakeup.signal()
        case false?: break
        }
    }

    /// Every item queued so far, in order; waits while empty; nil once closed and drained.
    func nextBatch() -> [Item]? {
        while true {
            let (batch, closed) = items.withLock { state -> ([Item], Bool) in
                defer { state.pending.removeAll(keepingCapacity: true) }
                return (state.pending, state.closed)
            }
            if !batch.isEmpty { return batch }
            if closed { return nil }
            wakeup.wait()
        }
    }

    func close() {
        items.withLock { $0.closed = true }
        wakeup.signal()
    }
}
