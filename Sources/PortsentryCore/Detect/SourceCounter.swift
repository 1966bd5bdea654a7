/// Counts the probes of each source against the trigger rule, with a fixed memory cap: when
/// full, the least recently seen source is forgotten. O(1) per probe (a windowed count walks
/// the source's own few probes).
public struct SourceCounter: Sendable {
    private struct Tally: Sendable {
        var count = 0
        var trail = ProbeTrail()
    }
    private var table: LRUTable<IPAddress, Tally>

    public init(capacity: Int) { table = LRUTable(capacity: capacity) }

    public var capacity: Int { table.capacity }
    public var count: Int { table.count }

    /// Adds `probe` for `key` (the source, or its prefix) and returns the count the rule compares
    /// with SCAN_TRIGGER.
    public mutating func record(_ key: IPAddress, _ probe: ProbeRecord, rule: TriggerRule) -> Int {
        table.touch(key, orInsert: { Tally() }) { tally in
            tally.count += 1
            return tally.trail.add(probe, rule: rule) ?? tally.count
        }
    }

    /// The probes behind `key`'s count, oldest first (at most `ProbeTrail.evidenceCount`).
    public func evidence(of key: IPAddress) -> [ProbeRecord] { table[key]?.trail.evidence ?? [] }

    /// The number of probes counted for `key` since it was first seen or reset (0 if unknown).
    public func count(of key: IPAddress) -> Int { table[key]?.count ?? 0 }

    /// Forgets `key` (its next probe counts from 1 again).
    public mutating func reset(_ key: IPAddress) { table.remove(key) }
}
