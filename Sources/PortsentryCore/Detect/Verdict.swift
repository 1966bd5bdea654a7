/// What detection decided about one probe (docs/daemon.md "The data path", steps 1–5).
public struct Verdict: Sendable, Hashable {
    public var event: ProbeEvent
    /// The scan-line flags decided so far; `blocked` stays nil while `action` is pending.
    public var outcome: ScanOutcome
    /// Connect mode: the PORT_BANNER bytes to send to this peer (it triggered and is not self
    /// traffic); nil to send nothing.
    public var banner: [UInt8]?
    /// Non-nil when the source triggered and the block mode asks for action (step 6 follows).
    public var action: BlockMode?
    /// Extra lines that belong before the scan line, with their verbosity.
    public var notes: [LogNote]
    /// When the source triggered: the probes that counted (oldest first) and the rule they met.
    public var trigger: TriggerEvidence?

    public init(event: ProbeEvent, outcome: ScanOutcome, banner: [UInt8]? = nil,
                action: BlockMode? = nil, notes: [LogNote] = [], trigger: TriggerEvidence? = nil) {
        self.event = event; self.outcome = outcome; self.banner = banner
        self.action = action; self.notes = notes; self.trigger = trigger
    }
}

/// Why a source triggered: the rule and the probes that met it.
public struct TriggerEvidence: Sendable, Hashable {
    public var rule: TriggerRule
    /// The probes that counted, oldest first (at most `ProbeTrail.evidenceCount`).
    public var probes: [ProbeRecord]

    public init(rule: TriggerRule, probes: [ProbeRecord]) { self.rule = rule; self.probes = probes }
}

/// A log line with the verbosity it needs: `.normal` always, `.verbose` with `-v`, `.debug` with `-d`.
public struct LogNote: Sendable, Hashable {
    public enum Level: Sendable, Hashable { case normal, verbose, debug }
    public var level: Level
    public var text: String
    public init(_ level: Level, _ text: String) { self.level = level; self.text = text }
}

/// Where sentries deliver probes. Called from capture threads: must be thread-safe and fast;
/// it never blocks on commands or the firewall (those run on the enforcement side).
public protocol ProbeSink: Sendable {
    /// Runs detection for one probe and returns its verdict (connect mode uses `sendBanner`).
    @discardableResult
    func receive(_ event: ProbeEvent) -> Verdict
    /// A packet the sentry let pass before detection, as `.serviceRunning` or `.ownFlow`, each
    /// time its log line is written (at most once a minute per source and port). The default
    /// does nothing.
    func passed(_ event: ProbeEvent, as result: ProbeResult)
}

extension ProbeSink {
    public func passed(_ event: ProbeEvent, as result: ProbeResult) {}
}
