import Capture
import PortsentryCore
import Synchronization

/// Counts probes to the benchmark port and, when asked, records each one's capture delay
/// (delivery time minus the kernel's capture timestamp).
final class CountingSink: ProbeSink {
    let port: UInt16
    private let count = Atomic<Int>(0)
    private let delays = Mutex<[UInt64]?>(nil)

    init(port: UInt16) { self.port = port }

    func receive(_ event: ProbeEvent) -> Verdict {
        if event.port == port {
            count.add(1, ordering: .relaxed)
            let delivered = now()
            delays.withLock { $0?.append(delivered &- event.seenAt) }
        }
        return Verdict(event: event, outcome: ScanOutcome())
    }

    var received: Int { count.load(ordering: .relaxed) }

    func startRecordingDelays() { delays.withLock { $0 = [] } }
    func takeDelays() -> [UInt64] { delays.withLock { d in defer { d = nil }; return d ?? [] } }
}
