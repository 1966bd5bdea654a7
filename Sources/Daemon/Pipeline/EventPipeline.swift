import Firewall
import Glibc
import Logging
import PortsentryCore
import Synchronization

/// The decide → enforce → record stages. Sentries push verdicts from their threads; the ban
/// service's thread drains them in batches: already-banned check (step 6), ban decisions from
/// the policy, KILL_RUN_CMD before and after, every ban of a batch applied in one go, then each
/// event's lines, ban events, history record and BLOCKED_FILE record, in event order.
final class EventPipeline: Sendable {
    struct Settings: Sendable {
        var hook: RunCommandHook
        var resolveHost: Bool
        var history: HistoryFile?
        /// BAN_RATE_LIMIT (0 = no cap).
        var banRateLimit: Int
    }

    private let queue = WorkQueue<Verdict>(limit: 65_536)
    private let settings: Mutex<Settings>
    private let logger: Logger
    private let bans: BanService
    private let names = HostNameResolver()
    private let quietHits = Mutex(BannedHitReporter(interval: 60, capacity: 65_536))
    private let rateCap = Mutex(BanRateCap())
    /// The kernel trap in force: its probes were banned by the kernel before the daemon saw them.
    private let kernelTrap = Mutex<KernelTrap?>(nil)
    /// Verdicts dropped (queue full) when the last warning about drops was logged.
    private let reportedDrops = Atomic<Int>(0)
    private let historyHealth = Mutex(WriteHealth())
    /// EVENT_LOG: hears every event's result, in event order.
    private let events: EventLog?
    private let counters = EventCounters()

    init(settings: Settings, bans: BanService, events: EventLog? = nil, logger: Logger) {
        self.settings = Mutex(settings)
        self.bans = bans
        self.events = events
        self.logger = logger
        rateCap.withLock { $0.configure(settings.banRateLimit) }
    }

    func update(_ new: Settings) {
        settings.withLock { $0 = new }
        rateCap.withLock { $0.configure(new.banRateLimit) }
    }

    func setKernelTrap(_ trap: KernelTrap?) { kernelTrap.withLock { $0 = trap } }

    /// A packet a sentry let pass before detection (`ProbeSink.passed`): only EVENT_LOG hears of it.
    func passed(_ event: ProbeEvent, as result: ProbeResult) { events?.record(event, result: result) }

    /// Called from capture threads; never blocks. The first verdict into an empty queue
    /// schedules a drain on the ban service's thread.
    func submit(_ verdict: Verdict) {
        if queue.push(verdict) { bans.schedule { [self] in drain() } }
    }

    /// Stops taking verdicts; what is queued is still processed, then `done` runs.
    func close(done: @escaping @Sendable () -> Void) {
        queue.close()
        bans.schedule { [self] in
            drain()
            done()
        }
    }

    /// The most events processed together: a batch's lines and results are held until its end,
    /// and one ban transaction takes at most `NftablesBackend.transactionLimit` anyway.
    static let batchLimit = 8192

    private func drain() {
        while case let (batch, _) = queue.take(atMost: EventPipeline.batchLimit), !batch.isEmpty { process(batch) }
        reportDrops()
    }

    /// Under a flood faster than the actions can keep up with, verdicts beyond the queue's
    /// limit are dropped (detection already counted them); say so once per drain.
    private func reportDrops() {
        let dropped = queue.dropped
        let before = reportedDrops.exchange(dropped, ordering: .relaxed)
        guard dropped > before else { return }
        counters.dropped(dropped - before)
        logger.warning("\(dropped - before) events were not logged or acted on: more than \(queue.limit) were waiting (a flood)")
    }

    // MARK: - Processing

    private struct Pending {
        var verdict: Verdict
        /// Lines before the ban's own (KILL_RUN_CMD first, already blocked), and after it.
        var before: [(Logger.Level, String)] = []
        var after: [(Logger.Level, String)] = []
        var decision: BanDecision?
        /// A banned source probed again: its ban starts again (no lines of its own).
        var renewal: BanDecision?
        var result: BanResult?
        /// Why the policy refused to act (a protected source, BAN_RATE_LIMIT).
        var refusal: BanRefusal?
        var runCommand: String?
        var succeeded = false
        var attempted = false
        var quiet = false
        /// The source was banned (or listed in BLOCKED_FILE) before this event.
        var alreadyBlocked = false

        var source: IPAddress { verdict.event.source }

        /// Whether something was tried for the event that could have failed (a dry run cannot).
        var hadActions: Bool {
            if runCommand != nil { return true }
            guard let result else { return false }
            return !result.steps.isEmpty && result.status != .dryRun
        }

        /// What became of the event, once it is processed (EVENT_LOG, `portsentry_events_total`).
        var probeResult: ProbeResult {
            let outcome = verdict.outcome
            if outcome.ignored == true { return .ignored }
            if outcome.triggered != true { return .untriggered }
            if case .rateLimited = refusal { return .rateLimited }
            if refusal != nil { return .protected }
            if alreadyBlocked { return .alreadyBlocked }
            if verdict.action == nil { return .logOnly }
            if succeeded { return .blocked }
            return result?.status == .dryRun ? .dryRun : .failed
        }

        /// When the backend's commit returned, `CLOCK_MONOTONIC` nanoseconds.
        var committedAt: UInt64 = 0

        /// How long after its probe was captured the source was banned, for a new ban the
        /// daemon made (the kernel trap's bans were in force before the daemon saw the probe).
        var scanToBan: UInt64? {
            guard let result, result.status == .banned, committedAt > 0, verdict.event.seenAt > 0,
                  case .probe(let evidence) = result.decision.origin, !evidence.byKernel else { return nil }
            return committedAt &- verdict.event.seenAt
        }

        /// With `-d`: how long after its probe was captured the source was banned (the
        /// backend's commit returned). scripts/bench-scan-to-ban.sh reads it.
        func banDelayLine() -> (Logger.Level, String)? {
            let seen = verdict.event.seenAt
            guard seen > 0, committedAt > 0 else { return nil }
            return (.debug, "Host \(source) blocked \((committedAt &- seen) / 1000) µs after its probe was captured")
        }
    }

    private func process(_ batch: [Verdict]) {
        let s = settings.withLock { $0 }
        let policy = bans.policy
        var items = batch.map { Pending(verdict: $0) }
        // What earlier events of the batch are banning: hosts and prefixes.
        var planned = Set<CIDR>()
        // This host's addresses, read once a batch and only if a prefix ban needs them.
        var local: Set<IPAddress>?
        func localAddresses() -> Set<IPAddress> {
            if local == nil { local = LocalAddresses.current() }
            return local!
        }
        // Sources the kernel trap banned as hosts whose prefix is (being) banned.
        var kernelHosts: [IPAddress] = []
        // A full trap set bans nobody new: the probes captured after it filled are the daemon's.
        func trapped(_ event: ProbeEvent) -> Bool {
            guard kernelTrap.withLock({ $0?.covers(event) ?? false }) else { return false }
            guard let full = bans.kernelTrapFullSince(event.source.unmapped.family) else { return true }
            return event.seenAt != 0 && event.seenAt < full
        }
        var confirmed = false

        // Protected? Step 6: already blocked? Otherwise the ban decision and KILL_RUN_CMD.
        for i in items.indices {
            guard let mode = items[i].verdict.action else { continue }
            let source = items[i].source
            if let refusal = policy.protectionRefusal(for: source) {
                items[i].refusal = refusal
                items[i].verdict.outcome.blocked = false
                continue
            }
            let isPlanned = planned.contains(CIDR(host: source)) || planned.contains(policy.prefixes.prefix(of: source))
            var standing = isPlanned ? bans.standingOfPlanned : bans.standing(of: source)
            if standing == .banned, !isPlanned, !confirmed {
                // The ban table is trusted only once the firewall is known to match it.
                bans.confirmBans()
                confirmed = true
                standing = bans.standing(of: source)
            }
            if let standing {
                if mode == .block, standing == .banned, trapped(items[i].verdict.event) { kernelHosts.append(source) }
                reportAlreadyBlocked(&items[i], quiet: mode == .block && standing == .banned, settings: s)
                // Probing again while banned: the ban starts again (at most about once a minute).
                if mode == .block, standing == .banned, !isPlanned,
                   let ban = bans.liveBan(covering: source), let renewal = policy.renewal(of: ban) {
                    planned.insert(ban.target)
                    items[i].renewal = renewal
                }
                continue
            }
            if mode == .block, let refusal = rateCap.withLock({ $0.refusal(at: Int64(MonotonicClock.now() / 1_000_000), logger: logger) }) {
                items[i].refusal = refusal
                items[i].verdict.outcome.blocked = false
                continue
            }
            items[i].attempted = true
            planned.insert(CIDR(host: source))
            items[i].runCommand = s.hook.command(for: items[i].verdict.event)
            if mode == .block {
                let event = items[i].verdict.event
                let byKernel = trapped(event)
                items[i].decision = try? policy.decide(probe: event, trigger: items[i].verdict.trigger, byKernel: byKernel,
                                                       history: bans.history, localAddresses: localAddresses()).get()
                if let target = items[i].decision?.target {
                    planned.insert(target)
                    if byKernel, !target.isHost { kernelHosts.append(source) }
                }
            }
        }

        // KILL_RUN_CMD before the ban, every ban of the batch at once, KILL_RUN_CMD after.
        if s.hook.runsFirst { for i in items.indices { runHook(&items[i], into: \.before) } }
        let decided = items.indices.filter { items[$0].decision != nil }
        let renewed = items.indices.filter { items[$0].renewal != nil }
        let results = bans.apply(decided.map { items[$0].decision! } + renewed.map { items[$0].renewal! })
        let committedAt = MonotonicClock.now()
        bans.absorbKernelBans(kernelHosts)
        for (i, result) in zip(decided, results) {
            items[i].result = result
            items[i].committedAt = committedAt
            if result.succeeded { items[i].succeeded = true }
        }
        for result in results.dropFirst(decided.count) { bans.publish(.applied(result)) }
        if !s.hook.runsFirst { for i in items.indices { runHook(&items[i], into: \.after) } }

        // Lines, ban events, files — in event order.
        for var item in items {
            let event = item.verdict.event
            let hostName = name(of: event.source, resolve: s.resolveHost)
            for note in item.verdict.notes { logger.log(level: note.level.loggerLevel, "\(note.text)") }
            log(item.before)
            if let refusal = item.refusal {
                bans.publish(.refused(target: CIDR(host: event.source), origin: .probe(ProbeEvidence(event)), refusal))
            }
            if let result = item.result {
                bans.publish(.applied(result))
                if result.succeeded, let line = item.banDelayLine() { log([line]) }
                if let delay = item.scanToBan { counters.banned(after: delay) }
            }
            log(item.after)
            if item.attempted {
                item.verdict.outcome.blocked = item.succeeded
                if item.succeeded {
                    bans.noteBlocked(event.source)
                } else if item.hadActions {
                    logger.error("\(LogLine.disposeError(event.source, hostName: hostName))")
                }
            }
            events?.record(event, result: item.probeResult)
            counters.count(event.proto, item.probeResult)
            if item.quiet { continue }
            let line = LogLine.scan(event, hostName: hostName, outcome: item.verdict.outcome)
            logger.notice("\(line)")
            if let history = s.history { record(line, in: history) }
        }
    }

    /// Appends to HISTORY_FILE; a failure (full disk, read-only directory) is logged once.
    private func record(_ line: String, in history: HistoryFile) {
        let err = history.append(line)
        guard let report = historyHealth.withLock({ $0.record("history file \(history.path)", errno: err) }) else { return }
        logger.log(report)
    }

    /// A source that is banned already: with a backend that keeps bans the firewall drops it,
    /// so its events are counted and reported at most once a minute; otherwise (BLOCKED_FILE)
    /// every event says so, as 2.x does.
    private func reportAlreadyBlocked(_ item: inout Pending, quiet: Bool, settings s: Settings) {
        let source = item.source
        let hostName = name(of: source, resolve: s.resolveHost)
        item.verdict.outcome.blocked = true
        item.alreadyBlocked = true
        guard quiet else {
            item.before.append((.notice, LogLine.alreadyBlocked(source, hostName: hostName)))
            return
        }
        bans.recordHit(source)
        item.quiet = true
        if let n = quietHits.withLock({ $0.hit(source, now: MonotonicClock.seconds()) }) {
            item.before.append((.notice, LogLine.alreadyBlocked(source, hostName: hostName) + " (\(n) events in the last minute)"))
        }
    }

    /// Runs KILL_RUN_CMD for the item, if it has one; its exit status counts as an action.
    private func runHook(_ item: inout Pending, into lines: WritableKeyPath<Pending, [(Logger.Level, String)]>) {
        guard item.attempted, let command = item.runCommand else { return }
        let result = ShellCommand.run(command)
        if result.succeeded {
            item.succeeded = true
            item[keyPath: lines].append((.notice, LogLine.externalCommand(item.source, command: command)))
        } else {
            counters.hookFailed()
            item[keyPath: lines].append((.error, "attackalert: External command for host \(item.source) failed (\(result)): \"\(command)\""))
        }
    }

    private func log(_ lines: [(Logger.Level, String)]) {
        for (level, text) in lines { logger.log(level: level, "\(text)") }
    }

    private func name(of address: IPAddress, resolve: Bool) -> String {
        resolve ? names.name(of: address) : address.description
    }
}

extension LogNote.Level {
    var loggerLevel: Logger.Level {
        switch self {
        case .normal: return .notice
        case .verbose: return .info
        case .debug: return .debug
        }
    }
}
