import PortsentryCore
import Synchronization

/// What the kernel counted for one capture since it was opened: packets that passed the
/// filter and packets it dropped because the capture did not read them in time (the buffer or
/// ring was full). libpcap's `pcap_stats`, AF_PACKET's `PACKET_STATISTICS`.
public struct CaptureStatistics: Sendable, Hashable, Codable {
    /// Interface name; `any` for a capture on every interface at once.
    public var interface: String
    public var received: UInt64
    public var dropped: UInt64

    public init(interface: String, received: UInt64, dropped: UInt64) {
        self.interface = interface
        self.received = received
        self.dropped = dropped
    }

    /// Both captures' counts together (same interface).
    public static func + (a: CaptureStatistics, b: CaptureStatistics) -> CaptureStatistics {
        CaptureStatistics(interface: a.interface, received: a.received &+ b.received, dropped: a.dropped &+ b.dropped)
    }
}

/// A sentry's latest capture statistics, read by the capture thread itself (libpcap handles are
/// not thread-safe) at most once a second, and answered from any thread.
final class CaptureCounters: Sendable {
    private let state = Mutex<(readAt: UInt64, latest: [CaptureStatistics])>((0, []))
    private static let interval: UInt64 = 1_000_000_000

    /// On the capture thread: calls `read` when the last reading is a second old (or `force`).
    func refresh(force: Bool = false, _ read: () -> [CaptureStatistics]) {
        let now = MonotonicClock.now()
        guard force || state.withLock({ now &- $0.readAt >= Self.interval }) else { return }
        let latest = read()
        state.withLock { $0 = (now, latest) }
    }

    var latest: [CaptureStatistics] { state.withLock { $0.latest } }
}
