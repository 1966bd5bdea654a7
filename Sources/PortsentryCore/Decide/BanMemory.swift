/// The ban records of the targets banned lately, bounded: at most `capacity` targets, the one
/// banned least recently forgotten first; records older than OFFENCE_MEMORY stop counting.
/// A plain value; the daemon's ban ledger keeps it behind a lock and in a file.
public struct BanMemory: Sendable {
    public static let defaultCapacity = 100_000
    private var table: LRUTable<CIDR, BanRecord>
    public var memorySeconds: UInt64

    public init(capacity: Int = BanMemory.defaultCapacity, memorySeconds: UInt64) {
        table = LRUTable(capacity: capacity)
        self.memorySeconds = memorySeconds
    }

    public var count: Int { table.count }

    /// The record of `target`, if it is still remembered at `now`.
    public func record(of target: CIDR, at now: Int64) -> BanRecord? {
        table[target].flatMap { $0.remembered(at: now, memorySeconds: memorySeconds) ? $0 : nil }
    }

    /// The records, least recently banned first.
    public var records: [BanRecord] { table.entries.map(\.value) }

    /// A ban was made (not a renewal): it becomes the target's last ban, one more offence.
    public mutating func banned(_ decision: BanDecision, expiresAt: Int64?) {
        table.touch(decision.target, orInsert: { BanRecord(target: decision.target, offences: 0, last: decision, expiresAt: expiresAt) }) {
            $0.offences = max(decision.offence, $0.offences + 1)
            $0.last = decision
            $0.expiresAt = expiresAt
            $0.ended = nil
        }
    }

    /// A live ban was renewed: it now expires at `expiresAt`.
    public mutating func renewed(_ target: CIDR, expiresAt: Int64?) {
        table.modify(target) { $0.expiresAt = expiresAt; $0.ended = nil }
    }

    /// The target's ban ended.
    public mutating func ended(_ target: CIDR, reason: BanRelease.Reason, at now: Int64) {
        table.modify(target) { record in
            guard record.ended == nil else { return }
            record.ended = (reason == .expired ? min(now, record.expiresAt ?? now) : now, reason)
        }
    }

    /// Puts back a saved record (start-up), unless it is forgotten already.
    public mutating func restore(_ record: BanRecord, at now: Int64) {
        guard record.remembered(at: now, memorySeconds: memorySeconds) else { return }
        table.touch(record.target, orInsert: { record }) { $0 = record }
    }
}

extension BanMemory: OffenceHistory {
    public func priorOffences(of target: CIDR, at now: Int64) -> Int { record(of: target, at: now)?.offences ?? 0 }
}
