/// The drops of a bounded queue, reported once per spell: a warning at the first drop, and a
/// notice with the spell's count once a whole drain has passed without a new drop.
struct DropSpell: Sendable {
    /// Drops since the spell began; 0 outside a spell.
    private(set) var count = 0
    private var droppedSinceDrain = false

    /// One more drop; true when it starts a spell (log the warning).
    mutating func dropped() -> Bool {
        count += 1
        droppedSinceDrain = true
        return count == 1
    }

    /// The consumer finished a drain: the spell's count when this ends it, else nil.
    mutating func drained() -> Int? {
        guard count > 0 else { return nil }
        guard !droppedSinceDrain else {
            droppedSinceDrain = false
            return nil
        }
        defer { count = 0 }
        return count
    }
}
