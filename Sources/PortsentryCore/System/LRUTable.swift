/// A table with a fixed capacity that forgets its least recently used entry to make room.
/// Every operation is O(1); the entries live in one array (no allocation per entry).
public struct LRUTable<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Node: Sendable {
        var key: Key
        var value: Value
        var newer: Int32   // index of the next more recent node, -1 at the head
        var older: Int32   // index of the next less recent node, -1 at the tail
    }

    public let capacity: Int
    private var index: [Key: Int32] = [:]
    private var nodes: [Node] = []
    private var free: [Int32] = []
    private var newest: Int32 = -1
    private var oldest: Int32 = -1

    public init(capacity: Int) {
        precondition(capacity > 0, "LRUTable needs a positive capacity")
        self.capacity = capacity
        index.reserveCapacity(min(capacity, 1 << 16))
    }

    public var count: Int { index.count }

    /// The value of `key` without making it recent.
    public subscript(key: Key) -> Value? { index[key].map { nodes[Int($0)].value } }

    /// Makes `key` the most recent entry and lets `body` change its value; a missing key is
    /// inserted as `make()` first, forgetting the least recent entry when the table is full.
    @discardableResult
    public mutating func touch<R>(_ key: Key, orInsert make: () -> Value, _ body: (inout Value) -> R) -> R {
        if let i = index[key] {
            moveToFront(i)
            return body(&nodes[Int(i)].value)
        }
        let slot: Int32
        if let reused = free.popLast() {
            slot = reused
            nodes[Int(slot)] = Node(key: key, value: make(), newer: -1, older: -1)
        } else if nodes.count < capacity {
            slot = Int32(nodes.count)
            nodes.append(Node(key: key, value: make(), newer: -1, older: -1))
        } else {
            slot = oldest
            unlink(slot)
            index[nodes[Int(slot)].key] = nil
            nodes[Int(slot)] = Node(key: key, value: make(), newer: -1, older: -1)
        }
        index[key] = slot
        pushFront(slot)
        return body(&nodes[Int(slot)].value)
    }

    /// Changes the value of `key`, if present, without making it recent.
    public mutating func modify(_ key: Key, _ body: (inout Value) -> Void) {
        guard let i = index[key] else { return }
        body(&nodes[Int(i)].value)
    }

    /// Forgets `key`.
    public mutating func remove(_ key: Key) {
        guard let i = index.removeValue(forKey: key) else { return }
        unlink(i)
        free.append(i)
    }

    /// The entries, least recent first (the order that restores the table as it was).
    public var entries: [(key: Key, value: Value)] {
        var out: [(key: Key, value: Value)] = []
        out.reserveCapacity(count)
        var i = oldest
        while i >= 0 { out.append((nodes[Int(i)].key, nodes[Int(i)].value)); i = nodes[Int(i)].newer }
        return out
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
