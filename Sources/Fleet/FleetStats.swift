import Control
import PortsentryCore
import Synchronization

/// The fleet link's counters, in the one value `status` shows (and metrics can export).
final class FleetStats: Sendable {
    private let status: Mutex<FleetStatus>

    init(_ config: CrowdSecConfig) {
        status = Mutex(FleetStatus(url: config.url ?? "", push: config.push, pull: config.pull))
    }

    func update(_ body: (inout FleetStatus) -> Void) { status.withLock { body(&$0) } }

    /// A request reached the LAPI, or failed with `error`.
    func reached(_ error: LAPIError?) {
        status.withLock { s in
            s.reachable = error.map { $0.status != nil } ?? true
            s.lastError = error?.description
        }
    }

    var snapshot: FleetStatus { status.withLock { $0 } }
}
