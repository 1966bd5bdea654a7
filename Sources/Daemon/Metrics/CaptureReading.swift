import Capture
import PortsentryCore

/// `portsentry_capture_received_total{interface}` / `portsentry_capture_dropped_total{interface}`:
/// the kernel's counts for the stealth captures (libpcap's `pcap_stats`, AF_PACKET's
/// `PACKET_STATISTICS`), which the capture thread reads at most once a second; totalled
/// across the sentries a reload replaced.
struct CaptureReading: ScrapeSource {
    let statistics: @Sendable () -> [CaptureStatistics]
    private let received = CounterMirrors(.captureReceived)
    private let dropped = CounterMirrors(.captureDropped)

    init(statistics: @escaping @Sendable () -> [CaptureStatistics]) { self.statistics = statistics }

    func refresh() async {
        for capture in statistics() {
            received.follow(capture.received, labels: [("interface", capture.interface)])
            dropped.follow(capture.dropped, labels: [("interface", capture.interface)])
        }
    }
}
