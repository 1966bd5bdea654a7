import Firewall
import Glibc
import Logging
import PortsentryCore
import Synchronization

/// The decide → enforce → record stages. Sentries push verdicts from their threads; the host
/// (a thread of its own, or the nftables backend's thread) drains them in batches:
/// already-blocked check (step 6), the KILL_* and nftables actions in their order (all
/// nftables bans of a batch in one transaction), then the event's lines, history record and
/// blocked-file record, in event order.
final class EventPipeline: Sendable {
    struct Settings: Sendable {
        var planner: ActionPlanner
        var resolveHost: Bool
        var history: HistoryFile?
        var blocked: BlockedFile?
        var hostsDeny: HostsDenyFile
    }

    private let queue = WorkQueue<Verdict>(limit: 65_536)
    private let settings: Mutex<Settings>
    private let logger: Logger
    private let nft: (any NativeBanSet)?
    private let names: HostNameResolver
    /// Sources recorded in BLOCKED_FILE (the legacy already-blocked list): what the file holds.
    private let blockedHosts: Mutex<Set<IPAddress>>
    private let quietHits = Mutex(BannedHitReporter(interval: 60, capacity: 65_536))
    private let host: any PipelineHost
    /// Verdicts dropped (queue full) when the last warning about drops was logged.
    private let reportedDrops = Atomic<Int>(0)

    init(settings: Settings, nft: (any NativeBanSet)?, host: any PipelineHost, logger: Logger) {
        self.host = host
        self.settings = Mutex(settings)
        self.nft = nft
        self.logger = logger
        names = HostNameResolver()
        blockedHosts = Mutex(Set(settings.blocked?.load() ?? []))
    }

    func update(_ new: Settings) {
        let reloadBlocked = settings.withLock { s -> Bool in
            defer { s = new }
            return s.blocked?.path != new.blocked?.path
        }
        if reloadBlocked { blockedHosts.withLock { $0 = Set(new.blocked?.load() ?? []) } }
    }

    /// Called from capture threads; never blocks. The first verdict into an empty queue
    /// schedules a drain on the host.
    func submit(_ verdict: Verdict) {
        if queue.push(verdict) { host.schedule { [self] in drain() } }
    }

    /// Forgets hosts that are no longer banned (expired or unblocked) and drops them from
    /// BLOCKED_FILE, in turn with the pipeline's own writes to it.
    func forgetBlocked(_ addresses: Set<IPAddress>) {
        host.schedule { [self] in
            blockedHosts.withLock { $0.subtract(addresses) }
            if let file = settings.withLock({ $0.blocked }), let err = file.remove(addresses) {
                logger.error("Cannot update blocked file \(file.path): \(String(cString: strerror(err)))")
            }
        }
    }

    /// Records hosts banned by hand (portsentry-ctl block) in BLOCKED_FILE.
    func recordManualBans(_ addresses: [IPAddress]) {
        host.schedule { [self] in
            let s = settings.withLock { $0 }
            for address in addresses { recordBlocked(address, settings: s) }
        }
    }

    /// Stops taking verdicts; what is queued is still processed, then `done` runs.
    func close(done: @escaping @Sendable () -> Void) {
        queue.close()
        host.schedule { [self] in
            drain()
            done()
        }
    }

    private func drain() {
        while case let (batch, _) = queue.takeAll(), !batch.isEmpty { process(batch) }
        reportDrops()
    }

    /// Under a flood faster than the actions can keep up with, verdicts beyond the queue's
    /// limit are dropped (detection already counted them); say so once per drain.
    private func reportDrops() {
        let dropped = queue.dropped
        let before = reportedDrops.exchange(dropped, ordering: .relaxed)
        guard dropped > before else { return }
        logger.warning("\(dropped - before) events were not logged or acted on: more than \(queue.limit) were waiting (a flood)")
    }

    // MARK: - Processing

    private struct Pending {
        var verdict: Verdict
        var lines: [(Logger.Level, String)] = []
        var plan: [BlockAction] = []
        var succeeded = false
        var attempted = false
        var quiet = false

        /// With `-d`: how long after its probe was captured the source was banned (the
        /// nftables commit or KILL_ROUTE returned). scripts/bench-scan-to-ban.sh reads it.
        mutating func noteBanDelay() {
            let seen = verdict.event.seenAt
            guard seen > 0 else { return }
            let micros = (MonotonicClock.now() &- seen) / 1000
            lines.append((.debug, "Host \(verdict.event.source) blocked \(micros) µs after its probe was captured"))
        }
    }

    private func process(_ batch: [Verdict]) {
        let s = settings.withLock { $0 }
        var items = batch.map { Pending(verdict: $0) }
        var planned = Set<IPAddress>()

        // Step 6: already blocked? Then plan the actions.
        for i in items.indices {
            guard let mode = items[i].verdict.action else { continue }
            let event = items[i].verdict.event
            let source = event.source
            let hostName = name(of: source, resolve: s.resolveHost)
            if isAlreadyBlocked(source, planned: planned, settings: s) {
                if let nft, s.planner.enforcement == .nftables, mode == .block {
                    nft.recordHit(source)
                    items[i].quiet = true
                    if let n = quietHits.withLock({ $0.hit(source, now: MonotonicClock.seconds()) }) {
                        items[i].lines.append((.notice, LogLine.alreadyBlocked(source, hostName: hostName) + " (\(n) events in the last minute)"))
                    }
                } else {
                    items[i].lines.append((.notice, LogLine.alreadyBlocked(source, hostName: hostName)))
                }
                items[i].verdict.outcome.blocked = true
                continue
            }
            items[i].plan = s.planner.actions(for: mode, event: event)
            items[i].attempted = true
            planned.insert(source)
        }

        // Actions before the nftables ban, in event order.
        for i in items.indices where items[i].attempted {
            let cut = items[i].plan.firstIndex(of: .nftablesBan) ?? items[i].plan.count
            for action in items[i].plan[..<cut] { run(action, for: &items[i], settings: s) }
        }
        // All nftables bans of the batch in one transaction.
        let banEvents = items.filter { $0.attempted && $0.plan.contains(.nftablesBan) }.map(\.verdict.event)
        let results = banEvents.isEmpty ? [:] : (nft?.ban(banEvents)
            ?? Dictionary(uniqueKeysWithValues: banEvents.map { ($0.source, .failure(BanFailure(description: "the nftables backend is not running"))) }))
        for i in items.indices where items[i].attempted {
            guard let cut = items[i].plan.firstIndex(of: .nftablesBan) else { continue }
            let source = items[i].verdict.event.source
            switch results[source] {
            case .success(let line)?:
                items[i].succeeded = true
                items[i].lines.append((.notice, line))
                items[i].noteBanDelay()
            case .failure(let failure)?:
                items[i].lines.append((.error, "attackalert: Could not add \(source) to the nftables ban set: \(failure)"))
            case nil:
                break
            }
            for action in items[i].plan[(cut + 1)...] { run(action, for: &items[i], settings: s) }
        }

        // Outcome, files, lines — in event order.
        for var item in items {
            let event = item.verdict.event
            let hostName = name(of: event.source, resolve: s.resolveHost)
            if item.attempted {
                item.verdict.outcome.blocked = item.succeeded
                if item.succeeded {
                    recordBlocked(event.source, settings: s)
                } else if !item.plan.isEmpty {
                    item.lines.append((.error, LogLine.disposeError(event.source, hostName: hostName)))
                }
            }
            for note in item.verdict.notes { logger.log(level: note.level.loggerLevel, "\(note.text)") }
            for (level, text) in item.lines { logger.log(level: level, "\(text)") }
            if item.quiet { continue }
            let line = LogLine.scan(event, hostName: hostName, outcome: item.verdict.outcome)
            logger.notice("\(line)")
            if let history = s.history, let err = history.append(line) {
                logger.error("Unable to write history file \(history.path): \(String(cString: strerror(err)))")
            }
        }
    }

    private func isAlreadyBlocked(_ source: IPAddress, planned: Set<IPAddress>, settings s: Settings) -> Bool {
        if s.planner.enforcement == .nftables, let nft {
            return planned.contains(source) || nft.isBanned(source)
        }
        // Without BLOCKED_FILE, legacy actions run on every triggered event (upstream's "always act").
        guard s.blocked != nil else { return false }
        return planned.contains(source) || blockedHosts.withLock { $0.contains(source) }
    }

    private func recordBlocked(_ source: IPAddress, settings s: Settings) {
        guard let file = s.blocked else { return }
        let isNew = blockedHosts.withLock { $0.insert(source).inserted }
        guard isNew else { return }
        if let err = file.append(source) {
            logger.error("Unable to write blocked file \(file.path): \(String(cString: strerror(err)))")
        }
    }

    private func run(_ action: BlockAction, for item: inout Pending, settings s: Settings) {
        let source = item.verdict.event.source
        switch action {
        case .nftablesBan:
            return
        case .hostsDeny(let line):
            do {
                try s.hostsDeny.append(line)
                item.succeeded = true
                item.lines.append((.notice, LogLine.blockedViaWrappers(source, line: line)))
            } catch {
                item.lines.append((.error, "attackalert: Cannot add \"\(line)\" to \(s.hostsDeny.path): \(error)"))
            }
        case .route(let command):
            runShell(command, for: &item, success: LogLine.blockedViaRoute(source, command: command), what: "Route command")
            if item.succeeded { item.noteBanDelay() }
        case .runCommand(let command):
            runShell(command, for: &item, success: LogLine.externalCommand(source, command: command), what: "External command")
        }
    }

    /// Runs a KILL_ROUTE / KILL_RUN_CMD command; its exit status decides success.
    private func runShell(_ command: String, for item: inout Pending, success: String, what: String) {
        let result = ShellCommand.run(command)
        if result.succeeded {
            item.succeeded = true
            item.lines.append((.notice, success))
        } else {
            item.lines.append((.error, "attackalert: \(what) for host \(item.verdict.event.source) failed (\(result)): \"\(command)\""))
        }
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
