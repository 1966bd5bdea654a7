/// Counts events per source with a fixed memory cap: when full, the least recently seen
/// source is forgotten. Every operation is O(1).
public struct SourceCounter: Sendable {
    private struct Node: Sendable {
        var key: IPAddress
        var count: Int
        var newer: Int32   // index of the next more recent node, -1 at the head
        var older: Int32   // index of the next less recent node, -1 at the tail
    }

    public let capacity: Int
    private var index: [IPAddress: Int32] = [:]
    private var nodes: [Node] = []
    private var newest: Int32 = -1
    private var oldest: Int32 = -1

    public init(capacity: Int) {
        precondition(capacity > 0, "SourceCounter needs a positive capacity")
        self.capacity = capacity
        index.reserveCapacity(min(capacity, 1 << 16))
    }

    public var count: Int { index.count }

    /// Adds one event for `source` and returns its new count.
    public mutating func record(_ source: IPAddress) -> Int {
        if let i = index[source] {
            nodes[Int(i)].count += 1
            moveToFront(i)
            return nodes[Int(i)].count
        }
        let slot: Int32
        if nodes.count < capacity {
            slot = Int32(nodes.count)
            nodes.append(Node(key: source, count: 1, newer: -1, older: -1))
        } else {
            slot = oldest
            unlink(slot)
            index[nodes[Int(slot)].key] = nil
            nodes[Int(slot)] = Node(key: source, count: 1, newer: -1, older: -1)
        }
        index[source] = slot
        pushFront(slot)
        return 1
    }

    /// The current count of `source` (0 if unknown).
    public func count(of source: IPAddress) -> Int {
        index[source].map { nodes[Int($0)].count } ?? 0
    }

    /// Forgets `source` (its next event counts from 1 again).
    public mutating func reset(_ source: IPAddress) {
        guard let i = index[source] else { return }
        nodes[Int(i)].count = 0
    }

    private mutating func unlink(_ i: Int32) {
        let n = nodes[Int(i)]
        if n.newer >= 0 { nodes[Int(n.newer)].older = n.older } else { newest = n.older }
        if n.older >= 0 { nodes[Int(n.older)].newer = n.newer } else { oldest = n.newer }
    }

    private mutating func pushFront(_ i: Int32) {
        nodes[Int(i)].newer = -1
        nodes[Int(i)].older = newest
        if newest >= 0 { nodes[Int(newest)].newer = i }
        newest = i
        if oldest < 0 { oldest = i }
    }

    private mutating func moveToFront(_ i: Int32) {
        guard newest != i else { return }
        unlink(i)
        pushFront(i)
    }
}
