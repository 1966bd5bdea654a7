import CoreMetrics
import PortsentryCore

/// The pipeline's metrics: `portsentry_events_total` by protocol and result, the events a flood
/// left unprocessed, `portsentry_scan_to_ban_seconds`, and KILL_RUN_CMD failures. Made with the
/// metrics factory in force; counting is an atomic add, on the backend's thread.
struct EventCounters: Sendable {
    struct Key: Hashable, Sendable {
        var proto: TransportProtocol
        var result: ProbeResult
    }

    private let events: CounterTable<Key>
    private let unprocessed = Counter(label: MetricName.eventsDropped.rawValue)
    private let scanToBan = Timer(label: MetricName.scanToBan.rawValue)
    private let hookFailures = Counter(label: MetricName.actionFailures.rawValue, dimensions: [("action", "run_cmd")])

    init() {
        events = CounterTable(.events, [TransportProtocol.tcp, .udp].flatMap { p in ProbeResult.allCases.map { Key(proto: p, result: $0) } }) {
            [("protocol", $0.proto.metricLabel), ("result", $0.result.rawValue)]
        }
    }

    func count(_ proto: TransportProtocol, _ result: ProbeResult) { events.increment(Key(proto: proto, result: result)) }

    /// Events dropped because the queue was full.
    func dropped(_ count: Int) { unprocessed.increment(by: count) }

    /// A probe's source was banned `nanoseconds` after the probe was captured.
    func banned(after nanoseconds: UInt64) { scanToBan.recordNanoseconds(Int64(clamping: nanoseconds)) }

    func hookFailed() { hookFailures.increment() }
}
