import Synchronization

/// The settings detection needs, taken from the config and the command line.
public struct DetectionSettings: Sendable {
    /// SCAN_TRIGGER with SCAN_WINDOW and SCAN_TRIGGER_PORTS.
    public var trigger: TriggerRule
    public var blockTCP: BlockMode
    public var blockUDP: BlockMode
    public var ignoreList: IgnoreList
    /// Shown in the verbose "found in ignore file" line.
    public var ignoreFilePath: String
    /// Apply the self-traffic rule (`-L` turns it off).
    public var localCheck: Bool
    /// PORT_BANNER's bytes (connect mode sends them to triggering peers).
    public var banner: [UInt8]?
    /// IPV4/IPV6_BAN_PREFIX: probes are counted per prefix, so a scanner cannot rotate through
    /// the addresses of its /64 to stay under SCAN_TRIGGER.
    public var countingPrefixes: BanPrefixes

    public init(config: Config, ignoreList: IgnoreList, localCheck: Bool) {
        trigger = TriggerRule(config: config)
        blockTCP = config.blockTCP
        blockUDP = config.blockUDP
        self.ignoreList = ignoreList
        ignoreFilePath = config.ignoreFile ?? ""
        self.localCheck = localCheck
        banner = config.portBanner.map { Array($0.utf8) }
        countingPrefixes = config.banPrefixes
    }
}

/// Steps 1–5 of docs/daemon.md "The data path" for every probe: ignore list, per-source count against
/// SCAN_TRIGGER, self traffic, banner, block mode. Thread-safe; O(1) per event.
public final class DetectionEngine: ProbeSink {
    private struct State {
        var settings: DetectionSettings
        var counter: SourceCounter
        var events: UInt64 = 0
    }
    private let state: Mutex<State>

    /// - Parameter sourceCapacity: how many sources are counted at once (least recently seen evicted).
    public init(settings: DetectionSettings, sourceCapacity: Int = 100_000) {
        state = Mutex(State(settings: settings, counter: SourceCounter(capacity: sourceCapacity)))
    }

    /// Replaces the settings (SIGHUP reload); counters are kept.
    public func update(_ settings: DetectionSettings) {
        state.withLock { $0.settings = settings }
    }

    /// The settings in force (portsentry-ctl block checks the ignore list).
    public var settings: DetectionSettings { state.withLock { $0.settings } }

    /// Probe events received since start (portsentry-ctl status).
    public var eventsReceived: UInt64 { state.withLock { $0.events } }

    /// Forgets the count of a source's prefix (after an admin unblocks it).
    public func resetCount(of source: IPAddress) {
        state.withLock { $0.counter.reset($0.settings.countingPrefixes.prefix(of: source).network) }
    }

    public func receive(_ event: ProbeEvent) -> Verdict { receive(event, at: WallClock.nowMs()) }

    /// `receive` at wall-clock time `now` (milliseconds): the time a windowed count and the evidence use.
    public func receive(_ event: ProbeEvent, at now: Int64) -> Verdict {
        state.withLock { s in
            s.events &+= 1
            var outcome = ScanOutcome()
            var notes: [LogNote] = []
            let source = event.source.unmapped
            // 1. Ignore list.
            if s.settings.ignoreList.contains(source) {
                outcome.ignored = true
                notes.append(LogNote(.verbose, LogLine.ignoredByFile(event.source, path: s.settings.ignoreFilePath)))
                return Verdict(event: event, outcome: outcome, notes: notes)
            }
            outcome.ignored = false
            // 2. Count against the trigger rule per prefix (SCAN_TRIGGER 0 and 1 both act on the first event).
            let rule = s.settings.trigger
            let key = s.settings.countingPrefixes.prefix(of: source).network
            guard s.counter.record(key, ProbeRecord(event, at: now), rule: rule) >= rule.threshold else {
                outcome.triggered = false
                return Verdict(event: event, outcome: outcome)
            }
            outcome.triggered = true
            let trigger = TriggerEvidence(rule: rule, probes: s.counter.evidence(of: key))
            // 3. Self traffic.
            if s.settings.localCheck, source == event.destination.unmapped {
                outcome.ignored = true
                outcome.noblock = true
                outcome.blocked = false
                notes.append(LogNote(.debug, LogLine.selfTraffic(source: event.source, destination: event.destination)))
                return Verdict(event: event, outcome: outcome, notes: notes)
            }
            // 4. Banner (connect mode only).
            let banner = event.mode == .connect ? s.settings.banner : nil
            // 5. Block mode.
            let mode = event.proto == .tcp ? s.settings.blockTCP : s.settings.blockUDP
            if mode == .logOnly {
                outcome.noblock = true
                outcome.blocked = false
                return Verdict(event: event, outcome: outcome, banner: banner, trigger: trigger)
            }
            outcome.noblock = false
            return Verdict(event: event, outcome: outcome, banner: banner, action: mode, trigger: trigger)
        }
    }
}
