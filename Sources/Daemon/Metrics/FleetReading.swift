import Control
import CoreMetrics
import Fleet
import PortsentryCore

/// The CrowdSec link's counters (`portsentry_fleet_*`): decisions pulled by result, pushes
/// accepted, push and pull failures, the push queue, whether the LAPI answers, and when push
/// and pull last succeeded. Fleet bans themselves are in `portsentry_bans_total{origin="fleet"}`.
struct FleetReading: ScrapeSource {
    let fleet: FleetLink
    private let decisions = CounterMirrors(.fleetDecisions)
    private let pushed = CounterMirrors(.fleetPushed)
    private let pushFailures = CounterMirrors(.fleetPushFailures)
    private let pullFailures = CounterMirrors(.fleetPullFailures)
    private let queueDropped = CounterMirrors(.fleetQueueDropped)
    private let queueDepth = Gauge(label: MetricName.fleetQueueDepth.rawValue)
    private let reachable = Gauge(label: MetricName.fleetReachable.rawValue)
    private let lastPush = Gauge(label: MetricName.fleetLastPush.rawValue)
    private let lastPull = Gauge(label: MetricName.fleetLastPull.rawValue)

    init(fleet: FleetLink) { self.fleet = fleet }

    func refresh() async {
        let s = fleet.counters
        for (result, total) in [("applied", s.pulled), ("refused", s.refused), ("invalid", s.invalid), ("own", s.echoes)] {
            decisions.follow(total, labels: [("result", result)])
        }
        pushed.follow(s.pushed)
        pushFailures.follow(s.pushFailures)
        pullFailures.follow(s.pullFailures)
        queueDropped.follow(s.queueDropped)
        queueDepth.record(s.queueDepth)
        reachable.record(s.reachable == true ? 1 : 0)
        lastPush.record(s.lastPushAt ?? 0)
        lastPull.record(s.lastPullAt ?? 0)
    }
}
