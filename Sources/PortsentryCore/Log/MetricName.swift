/// Every metric the Prometheus endpoint exports (METRICS_LISTEN, docs/metrics.md), with the
/// help text its `# HELP` line shows: the one list the code, the docs and the dashboard share.
public enum MetricName: String, CaseIterable, Sendable {
    case events = "portsentry_events_total"
    case eventsDropped = "portsentry_events_dropped_total"
    case bans = "portsentry_bans_total"
    case unbans = "portsentry_unbans_total"
    case banRefusals = "portsentry_ban_refusals_total"
    case activeBans = "portsentry_active_bans"
    case banSetCapacity = "portsentry_ban_set_capacity"
    case droppedPackets = "portsentry_dropped_packets_total"
    case droppedBytes = "portsentry_dropped_bytes_total"
    case captureReceived = "portsentry_capture_received_total"
    case captureDropped = "portsentry_capture_dropped_total"
    case actionFailures = "portsentry_action_failures_total"
    case scanToBan = "portsentry_scan_to_ban_seconds"
    case buildInfo = "portsentry_build_info"
    case startTime = "portsentry_start_time_seconds"
    case eventLogDropped = "portsentry_event_log_dropped_total"
    case fleetDecisions = "portsentry_fleet_decisions_total"
    case fleetPushed = "portsentry_fleet_pushed_total"
    case fleetPushFailures = "portsentry_fleet_push_failures_total"
    case fleetPullFailures = "portsentry_fleet_pull_failures_total"
    case fleetQueueDepth = "portsentry_fleet_push_queue_depth"
    case fleetQueueDropped = "portsentry_fleet_push_queue_dropped_total"
    case fleetReachable = "portsentry_fleet_lapi_reachable"
    case fleetLastPush = "portsentry_fleet_last_push_timestamp_seconds"
    case fleetLastPull = "portsentry_fleet_last_pull_timestamp_seconds"

    public var help: String {
        switch self {
        case .events: "Probe events by protocol and what became of them (result)."
        case .eventsDropped: "Probe events neither logged nor acted on: more were waiting than the pipeline holds (a flood)."
        case .bans: "Bans made, by origin (probe, kernel, manual, fleet, restore) and address family."
        case .unbans: "Bans that ended, by reason (expired, manual, flush, evicted, withdrawn)."
        case .banRefusals: "Bans the ban policy refused, by origin and reason."
        case .activeBans: "Bans in force, by address family."
        case .banSetCapacity: "Most bans an address family's nftables sets hold (NFT_SET_SIZE)."
        case .droppedPackets: "Packets from banned sources dropped by portsentry's nftables rules, by address family."
        case .droppedBytes: "Bytes from banned sources dropped by portsentry's nftables rules, by address family."
        case .captureReceived: "Packets that reached the stealth capture's filter, the dropped ones included, by interface."
        case .captureDropped: "Packets the kernel dropped before the stealth capture read them (buffer full), by interface."
        case .actionFailures: "Ban actions that failed, by action (nftables, route, wrappers, run_cmd)."
        case .scanToBan: "Time from a probe's capture to its ban being committed."
        case .buildInfo: "Always 1; the version label names the running build."
        case .startTime: "When the daemon started, seconds since the Unix epoch."
        case .eventLogDropped: "EVENT_LOG records dropped, by reason (buffer_full, write_failed)."
        case .fleetDecisions: "Decisions pulled from the CrowdSec LAPI, by result (applied, refused, invalid, own)."
        case .fleetPushed: "Ban decisions the CrowdSec LAPI accepted from this host."
        case .fleetPushFailures: "Pushes to the CrowdSec LAPI that failed (kept in the queue for a retry)."
        case .fleetPullFailures: "Decision pulls from the CrowdSec LAPI that failed."
        case .fleetQueueDepth: "Bans waiting to be pushed to the CrowdSec LAPI."
        case .fleetQueueDropped: "Bans dropped from the full push queue."
        case .fleetReachable: "1 when the last request reached the CrowdSec LAPI, else 0."
        case .fleetLastPush: "When a push to the CrowdSec LAPI last succeeded, seconds since the Unix epoch."
        case .fleetLastPull: "When a decision pull from the CrowdSec LAPI last succeeded, seconds since the Unix epoch."
        }
    }

    /// The histogram buckets of `scanToBan`, in seconds: 100 µs to 10 s.
    public static let scanToBanBuckets: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
}

extension AddressFamily {
    /// The `family` label of a metric: `ipv4` or `ipv6`.
    public var metricLabel: String { self == .inet ? "ipv4" : "ipv6" }
}

extension TransportProtocol {
    /// The `protocol` label of a metric: `tcp` or `udp`.
    public var metricLabel: String { self == .tcp ? "tcp" : "udp" }
}
