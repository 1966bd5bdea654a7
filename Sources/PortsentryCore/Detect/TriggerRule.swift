/// How the probes of one source are counted against SCAN_TRIGGER: every probe ever (2.x), or
/// those of a sliding SCAN_WINDOW, optionally distinct ports only (SCAN_TRIGGER_PORTS).
public struct TriggerRule: Sendable, Hashable, CustomStringConvertible {
    /// SCAN_TRIGGER; 0 and 1 both act on the first probe.
    public var trigger: Int
    /// SCAN_WINDOW in seconds; nil = counts never decay.
    public var windowSeconds: UInt64?
    /// SCAN_TRIGGER_PORTS: count distinct ports, not probes.
    public var distinctPorts: Bool

    public init(trigger: Int, windowSeconds: UInt64? = nil, distinctPorts: Bool = false) {
        self.trigger = trigger; self.windowSeconds = windowSeconds; self.distinctPorts = distinctPorts
    }

    public init(config: Config) {
        self.init(trigger: config.scanTrigger, windowSeconds: config.scanWindow, distinctPorts: config.scanTriggerPorts)
    }

    /// The count at which a source triggers.
    public var threshold: Int { max(1, trigger) }

    /// Whether the count needs the source's recent probes (a window or distinct ports), not a plain tally.
    var needsTrail: Bool { windowSeconds != nil || distinctPorts }

    /// E.g. `SCAN_TRIGGER=3: 3 distinct ports within SCAN_WINDOW=10m`.
    public var description: String {
        let what = distinctPorts ? (threshold == 1 ? "port" : "distinct ports") : (threshold == 1 ? "probe" : "probes")
        let when = windowSeconds.map { " within SCAN_WINDOW=\(BanDuration(seconds: $0))" } ?? ""
        return "SCAN_TRIGGER=\(trigger): \(threshold) \(what)\(when)"
    }
}
