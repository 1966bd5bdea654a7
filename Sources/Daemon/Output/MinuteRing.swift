/// One value per minute for the last `count` minutes, in a ring of slots: a slot starts again
/// from `empty` when its minute comes round. Fixed memory, O(1) per update.
struct MinuteRing<Value: Sendable>: Sendable {
    private var slots: [(minute: Int64, value: Value)]
    private let empty: Value

    init(count: Int, empty: Value) {
        precondition(count > 0, "MinuteRing needs at least one slot")
        self.empty = empty
        slots = Array(repeating: (-1, empty), count: count)
    }

    var count: Int { slots.count }

    /// Changes the value of `minute` (minutes since the epoch).
    mutating func update(_ minute: Int64, _ body: (inout Value) -> Void) {
        let i = slot(minute)
        if slots[i].minute != minute { slots[i] = (minute, empty) }
        body(&slots[i].value)
    }

    /// The value of each of the `count` minutes up to `minute`, oldest first; `empty` for a
    /// minute with no updates.
    func values(upTo minute: Int64) -> [Value] {
        (minute - Int64(count) + 1 ... minute).map { m in
            let s = slots[slot(m)]
            return s.minute == m ? s.value : empty
        }
    }

    private func slot(_ minute: Int64) -> Int {
        let n = Int64(slots.count)
        return Int((minute % n + n) % n)
    }
}
