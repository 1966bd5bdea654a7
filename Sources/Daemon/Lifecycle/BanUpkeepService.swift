import Firewall
import ServiceLifecycle

/// The review of the bans restored at start (after the ready line: 100,000 of them take ~0.1 s),
/// the backend's upkeep (expiries, repairs, state file), the ban service's expiry events and the
/// ban ledger's file, until graceful shutdown; then the backend shuts down (its bans stay in
/// force). First in the group, so it stops last: after the pipeline has finished its last batch.
struct BanUpkeepService: Service {
    let bans: BanService

    func run() async {
        let backend = bans.backend
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await bans.reviewRestored() }
            group.addTask { await backend.maintain() }
            group.addTask { await bans.followExpiries() }
            if let ledger = bans.ledger { group.addTask { await ledger.maintain() } }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        await backend.shutdown()
        bans.ledger?.save()
    }
}
