import Synchronization

/// A multi-producer queue drained in batches by one consumer. `push` never blocks (capture
/// threads call it) and says when the consumer must be woken; waking is the consumer's business.
final class WorkQueue<Item: Sendable>: Sendable {
    private let items = Mutex<(pending: [Item], closed: Bool)>(([], false))
    /// Items beyond this are dropped (and counted) so a flood cannot grow memory without bound.
    let limit: Int
    private let droppedCount = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    var dropped: Int { droppedCount.load(ordering: .relaxed) }

    /// What became of an item offered.
    enum Offer { case first, queued, dropped }

    /// Queues `item`: `.first` when the queue was empty (the consumer may be asleep), `.dropped`
    /// when it was full or closed.
    func offer(_ item: Item) -> Offer {
        let wasEmpty: Bool? = items.withLock { state in
            guard !state.closed, state.pending.count < limit else { return nil }
            state.pending.append(item)
            return state.pending.count == 1
        }
        guard let wasEmpty else {
            droppedCount.add(1, ordering: .relaxed)
            return .dropped
        }
        return wasEmpty ? .first : .queued
    }

    /// Queues `item`; true when the queue was empty (the consumer may be asleep).
    @discardableResult
    func push(_ item: Item) -> Bool { offer(item) == .first }

    /// Every item queued so far, in order, and whether the queue is closed.
    func takeAll() -> (items: [Item], closed: Bool) { take(atMost: .max) }

    /// The oldest `n` items queued (all of them when fewer), in order, and whether the queue is
    /// closed.
    func take(atMost n: Int) -> (items: [Item], closed: Bool) {
        items.withLock { state in
            let count = min(n, state.pending.count)
            defer { state.pending.removeFirst(count) }
            return (Array(state.pending.prefix(count)), state.closed)
        }
    }

    /// Takes no more items.
    func close() {
        items.withLock { $0.closed = true }
    }
}
