/// The recent probes of one source, oldest first: the evidence kept with its ban and, under a
/// windowed or distinct-port trigger, what the trigger counts. Bounded: at most
/// `max(trigger, evidenceCount)` probes, one per port when distinct ports are counted.
public struct ProbeTrail: Sendable, Hashable {
    /// The largest SCAN_TRIGGER a window or distinct-port count allows (each source keeps that many probes).
    public static let maximumTrigger = 256
    /// How many probes a ban keeps as evidence.
    public static let evidenceCount = 8

    public private(set) var probes: [ProbeRecord] = []

    public init(_ probes: [ProbeRecord] = []) { self.probes = probes }

    /// Adds `probe` and returns the count the rule compares with SCAN_TRIGGER, or nil when the
    /// rule counts every probe ever (the caller's tally).
    public mutating func add(_ probe: ProbeRecord, rule: TriggerRule) -> Int? {
        if rule.distinctPorts, let i = probes.firstIndex(where: { $0.proto == probe.proto && $0.port == probe.port }) {
            probes.remove(at: i)
        }
        if let window = rule.windowSeconds {
            let horizon = probe.time - Int64(window) * 1000
            if let keep = probes.firstIndex(where: { $0.time > horizon }) { probes.removeFirst(keep) } else { probes.removeAll() }
        }
        let capacity = rule.needsTrail ? max(rule.threshold, ProbeTrail.evidenceCount) : ProbeTrail.evidenceCount
        if probes.count >= capacity { probes.removeFirst(probes.count - capacity + 1) }
        probes.append(probe)
        return rule.needsTrail ? probes.count : nil
    }

    /// The evidence of a ban: the last `evidenceCount` probes.
    public var evidence: [ProbeRecord] { Array(probes.suffix(ProbeTrail.evidenceCount)) }
}
