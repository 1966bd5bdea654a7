/// The most frequent keys of a stream in fixed memory (Misra–Gries): at most `capacity`
/// counters. Counts are exact while there are at most `capacity` distinct keys; beyond that they
/// are lower bounds, and a key that makes up more than 1/(`capacity`+1) of the stream is always
/// kept. O(1) per key amortised (a full table pays for its decrements with earlier increments).
struct HeavyHitters<Key: Hashable & Sendable>: Sendable {
    let capacity: Int
    /// The keys kept, with their counts.
    private(set) var counts: [Key: Int] = [:]

    init(capacity: Int) { self.capacity = capacity }

    mutating func add(_ key: Key) {
        if counts[key] != nil || counts.count < capacity {
            counts[key, default: 0] += 1
        } else {
            counts = counts.compactMapValues { $0 > 1 ? $0 - 1 : nil }
        }
    }

    /// The key counted most (the smallest of equal ones, so reports are stable), with its count.
    func top() -> (key: Key, count: Int)? where Key: Comparable {
        counts.min { ($0.value, $1.key) > ($1.value, $0.key) }.map { ($0.key, $0.value) }
    }

    mutating func removeAll() { counts.removeAll(keepingCapacity: true) }
}
