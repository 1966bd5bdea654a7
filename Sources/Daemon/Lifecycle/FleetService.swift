import Firewall
import Fleet
import ServiceLifecycle

/// The CrowdSec push and pull loops, until graceful shutdown (the push queue is on disk).
/// Last in the group, so it stops first.
struct FleetService: Service {
    let fleet: FleetLink
    let bans: BanService

    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await fleet.run(bans: bans) }
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }
}
