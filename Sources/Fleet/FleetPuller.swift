import Firewall
import Logging
import PortsentryCore
import Synchronization

/// The bouncer: a startup sync, then a delta every CROWDSEC_PULL_INTERVAL. Deleted decisions
/// are withdrawn before new ones are applied; every ban goes through the ban policy and the ban
/// service with its remaining time. Fleet bans stay in the state file, so a restart while the
/// LAPI is down keeps them.
final class FleetPuller: Sendable {
    private let client: LAPIClient
    private let bans: BanService
    private let ledger: PushLedger
    private let stats: FleetStats
    private let config: CrowdSecConfig
    private let logger: Logger
    /// Live fleet decisions by id, so a deleted one lifts its target only when no other holds it.
    private let held = Mutex<[Int64: (target: CIDR, expiresAt: Int64)]>([:])

    init(client: LAPIClient, bans: BanService, ledger: PushLedger, stats: FleetStats, config: CrowdSecConfig, logger: Logger) {
        self.client = client; self.bans = bans; self.ledger = ledger; self.stats = stats; self.config = config; self.logger = logger
    }

    /// Pulls until cancelled; a failed pull is retried at the next interval (the LAPI's cursor
    /// does not move), and the startup sync is repeated until one succeeds.
    func run() async {
        var synced = false
        var lastProblem: String?
        while !Task.isCancelled {
            do {
                let data = try await client.stream(startup: !synced, origins: config.origins)
                stats.reached(nil)
                if let answer = StreamAnswer.parse(data) {
                    await apply(answer, startup: !synced)
                    if !synced { logger.notice("CrowdSec: synchronised with \(config.url ?? "")") }
                    synced = true
                    lastProblem = nil
                    stats.update { $0.lastPullAt = WallClock.nowMs() / 1000 }
                } else {
                    stats.update { $0.invalid += 1 }
                    lastProblem = report("CrowdSec: the decision stream answer is not a JSON object; ignored", after: lastProblem)
                }
            } catch {
                stats.reached(error)
                stats.update { $0.pullFailures += 1 }
                lastProblem = report("CrowdSec pull failed (retrying every \(config.pullInterval)s): \(error)", after: lastProblem)
            }
            try? await Task.sleep(for: .seconds(config.pullInterval))
        }
    }

    /// Logs `problem` unless it repeats the previous one.
    private func report(_ problem: String, after previous: String?) -> String {
        if problem != previous { logger.warning("\(problem)") }
        return problem
    }

    /// One answer: deletions, then bans; at startup the list is the whole truth, so fleet bans
    /// it no longer holds are withdrawn and its `deleted` list (every expired row) is ignored.
    func apply(_ answer: StreamAnswer, startup: Bool) async {
        let intake = DecisionIntake(answer, ourOrigin: config.origin, origins: config.origins, ledger: ledger)
        for line in intake.invalid.prefix(20) { logger.warning("CrowdSec: \(line); skipped") }
        if intake.invalid.count > 20 { logger.warning("CrowdSec: \(intake.invalid.count - 20) more invalid decisions skipped") }
        let current = Dictionary(bans.bans().map { ($0.target, $0) }, uniquingKeysWith: { a, _ in a })
        if startup {
            let kept = Set(intake.bans.map(\.target))
            await withdraw(current.values.filter { isFleet($0) && !kept.contains($0.target) }.map(\.target))
            held.withLock { $0.removeAll() }
        } else {
            await withdraw(deletions: intake.deletions, current: current)
        }
        let applied = await ban(intake.bans, current: current)
        stats.update { s in
            s.pulled += UInt64(applied.applied); s.refused += UInt64(applied.refused)
            s.invalid += UInt64(intake.invalid.count)
            s.echoes += UInt64(intake.echoes.count)
        }
    }

    private func isFleet(_ ban: Ban) -> Bool {
        if case .fleet? = ban.origin { return true }
        return false
    }

    private func withdraw(deletions: [DecisionIntake.Deletion], current: [CIDR: Ban]) async {
        let now = WallClock.nowMs()
        let lifts = held.withLock { held -> [CIDR] in
            for d in deletions { if let id = d.id { held[id] = nil } }
            let stillHeld = Set(held.values.filter { $0.expiresAt > now }.map(\.target))
            return Set(deletions.map(\.target)).filter { !stillHeld.contains($0) && current[$0].map(isFleet) == true }.sorted()
        }
        await withdraw(lifts)
    }

    private func withdraw(_ targets: [CIDR]) async {
        guard !targets.isEmpty else { return }
        do {
            _ = try await bans.withdraw(targets)
        } catch {
            logger.error("CrowdSec: cannot lift withdrawn fleet bans: \(error)")
        }
    }

    /// Rules on and applies `wanted`; a target already banned at least as long is left alone.
    private func ban(_ wanted: [DecisionIntake.FleetBan], current: [CIDR: Ban]) async -> (applied: Int, refused: Int) {
        let now = WallClock.nowMs()
        let policy = bans.policy
        var longest: [CIDR: DecisionIntake.FleetBan] = [:]
        for b in wanted {
            let expiresAt = now + Int64(b.seconds) * 1000
            if let id = b.id { held.withLock { $0[id] = (b.target, expiresAt) } }
            if let have = current[b.target], have.expiresAt.map({ $0 >= expiresAt - 1000 }) ?? true { continue }
            if let other = longest[b.target], other.seconds >= b.seconds { continue }
            longest[b.target] = b
        }
        let local = longest.keys.contains { !$0.isHost } ? LocalAddresses.current() : []
        let rulings = longest.values.sorted { $0.target < $1.target }.map { b in
            (target: b.target, origin: BanOrigin.fleet(b.source),
             ruling: policy.decide(fleet: b.target, seconds: b.seconds, source: b.source, localAddresses: local,
                                   history: bans.history, at: now))
        }
        let refused = rulings.count { if case .failure = $0.ruling { true } else { false } }
        let results = await bans.applyFleet(rulings)
        return (results.count { $0.succeeded || $0.status == .dryRun }, refused)
    }
}
