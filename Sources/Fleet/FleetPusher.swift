import Firewall
import Logging
import PortsentryCore

/// The watcher: every local ban the ban service applied (the policy has refused protected and
/// ignored addresses already) goes into the push queue; a sender task delivers the queue in
/// batches, with backoff while the LAPI is down. Observing only enqueues.
final class FleetPusher: BanObserver {
    private let queue: PushQueue
    private let ledger: PushLedger
    private let client: LAPIClient
    private let stats: FleetStats
    private let origin: String
    private let node: String
    private let pushUnblock: Bool
    private let logger: Logger
    static let batchSize = 100

    init(queue: PushQueue, ledger: PushLedger, client: LAPIClient, stats: FleetStats, config: CrowdSecConfig,
         node: String, logger: Logger) {
        self.queue = queue; self.ledger = ledger; self.client = client; self.stats = stats
        origin = config.origin; pushUnblock = config.pushUnblock; self.node = node; self.logger = logger
    }

    func observe(_ event: BanEvent) {
        switch event {
        case .applied(let result):
            guard result.succeeded || result.status == .dryRun, result.decision.term != .renewed,
                  let item = PushItem(result.decision), let host = IPAddress(item.value) else { return }
            ledger.record(host, expiresAt: item.expiresAtMs)
            queue.add(item)
        case .released(let release) where pushUnblock && release.reason == .unbanned:
            guard release.target.isHost else { return }
            queue.add(PushItem(unblock: release.address))
        default:
            return
        }
        stats.update { $0.queueDepth = queue.depth; $0.queueDropped = queue.dropped }
    }

    /// Delivers the queue until cancelled: at each wake-up, and after a failure again after a
    /// backoff of 1 s doubling to 60 s.
    func run() async {
        var backoff: Duration = .seconds(1)
        var wakeUps = queue.wakeUps.makeAsyncIterator()
        while !Task.isCancelled {
            if let error = queue.save() { logger.error("\(error)") }
            let batch = queue.front(Self.batchSize)
            if batch.isEmpty {
                stats.update { $0.queueDepth = 0 }
                guard await wakeUps.next() != nil else { return }
                continue
            }
            do {
                try await deliver(batch)
                queue.removeFront(batch.count)
                backoff = .seconds(1)
                let depth = queue.depth
                stats.reached(nil)
                stats.update { s in
                    s.pushed += UInt64(batch.count { $0.kind == .ban }); s.lastPushAt = WallClock.nowMs() / 1000; s.queueDepth = depth
                }
            } catch {
                stats.reached(error)
                stats.update { $0.pushFailures += 1 }
                logger.warning("CrowdSec push failed, \(batch.count) queued ban(s) kept for a retry in \(backoff): \(error)")
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(60))
            }
        }
    }

    private func deliver(_ batch: [PushItem]) async throws(LAPIError) {
        let bans = batch.filter { $0.kind == .ban }
        if !bans.isEmpty { try await client.pushAlerts(Alert.body(bans, origin: origin, node: node)) }
        for unban in batch where unban.kind == .unban {
            try await client.deleteDecisions(value: unban.value, origin: origin)
        }
    }
}
