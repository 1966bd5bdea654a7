import Glibc
import Logging
import PortsentryCore

/// Stealth mode without libpcap (`-m raw`): one AF_PACKET receive ring for all interfaces
/// (loopback included), the kernel-side `ProbeBPF` filter, and the destination checked in Swift
/// against the host's addresses, which an rtnetlink socket keeps current. Runs on the thread that
/// calls `run`, like `PcapSentry`.
public final class RawSentry: Sentry {
    private let settings: StealthSettings
    private let logger: Logger
    private let wake: WakeSignal
    private let counters = CaptureCounters()

    /// The ring, the address watcher and the local addresses `prepare` opened, taken over by `run`.
    private let prepared = Handover<(ring: PacketRing, watcher: AddressWatcher, local: Set<IPAddress>)>()

    public init(settings: StealthSettings, logger: Logger) throws(CaptureError) {
        self.settings = settings
        self.logger = logger
        wake = try WakeSignal()
    }

    /// Opens the packet ring with its filter, so that capture has begun when this returns (packets
    /// wait in the ring until `run`); a missing permission fails here, before the daemon reports
    /// itself active.
    public func prepare() throws {
        let watcher = try AddressWatcher()
        let ring = try PacketRing(ringBytes: settings.bufferBytes)
        prepared.put((ring, watcher, try localAddresses()))
    }

    public func stop() { wake.signal() }

    public func captureStatistics() -> [CaptureStatistics] { counters.latest }

    public func run(_ sink: any ProbeSink) throws {
        guard case (let ring, let watcher, var local)? = prepared.take() else {
            throw CaptureError("the raw sentry was run without prepare()")
        }
        let gate = ProbeGate(settings: settings, sink: sink, logger: logger)
        var fds = [wake.fd, watcher.fd, ring.fd].map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        while true {
            let rc = poll(&fds, nfds_t(fds.count), gate.refreshListeners(now: MonotonicClock.now()))
            if rc < 0 {
                if errno == EINTR { continue }
                throw CaptureError.system("poll", errno: errno)
            }
            if fds[0].revents != 0 { break }
            if fds[1].revents != 0, watcher.drain() { local = try localAddresses() }
            if fds[2].revents != 0 {
                let offset = MonotonicClock.realtimeOffset()
                ring.drain { bytes, realtime, interface in
                    guard let packet = PacketDecoder.decodeIP(bytes, at: 0),
                          local.contains(packet.destination) else { return }
                    gate.handle(packet, seenAt: realtime &- offset, interface: interface)
                }
            }
            counters.refresh {
                let (received, dropped) = ring.statistics()
                return [CaptureStatistics(interface: "any", received: received, dropped: dropped)]
            }
        }
    }

    private func localAddresses() throws(CaptureError) -> Set<IPAddress> {
        Set(try LocalInterfaces.snapshot().flatMap(\.addresses))
    }
}
