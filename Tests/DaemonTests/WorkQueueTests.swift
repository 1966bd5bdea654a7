import Testing
@testable import Daemon

/// The pipeline's queue: bounded, drained oldest first in batches of a given size.
@Suite struct WorkQueueTests {
    @Test func batchesComeOldestFirstAndNoLargerThanAsked() {
        let queue = WorkQueue<Int>(limit: 5)
        #expect(queue.push(1))   // into an empty queue: the consumer must be woken
        for i in 2...6 { #expect(!queue.push(i)) }
        #expect(queue.dropped == 1)   // the sixth is beyond the limit
        #expect(queue.take(atMost: 2).items == [1, 2])
        #expect(queue.take(atMost: 2).items == [3, 4])
        #expect(queue.take(atMost: 2).items == [5])
        #expect(queue.take(atMost: 2).items.isEmpty)
        #expect(queue.push(7))
        queue.close()
        #expect(!queue.push(8))
        let last = queue.take(atMost: 10)
        #expect(last.items == [7] && last.closed)
    }
}
