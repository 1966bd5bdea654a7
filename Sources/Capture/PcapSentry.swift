import Glibc
import Logging
import PortsentryCore

/// Stealth mode over libpcap (`-m pcap`): one non-blocking handle per selected interface, each
/// with a filter built from that interface's addresses and the watched ports. Everything runs on
/// the thread that calls `run`: one `poll` over the handles, the stop signal and an rtnetlink
/// socket, so handles and filters follow interfaces and addresses as they come and go.
public final class PcapSentry: Sentry {
    private let settings: StealthSettings
    private let logger: Logger
    private let wake: WakeSignal
    private let counters = CaptureCounters()

    /// The handles and the address watcher `prepare` opened, taken over by `run`.
    private let prepared = Handover<(handles: [PcapHandle], watcher: AddressWatcher)>()

    public init(settings: StealthSettings, logger: Logger) throws(CaptureError) {
        self.settings = settings
        self.logger = logger
        wake = try WakeSignal()
    }

    /// Opens a handle with its filter on every selected interface, so that capture has begun when
    /// this returns (packets wait in the kernel buffer until `run`); a missing permission or an
    /// unknown interface fails here, before the daemon reports itself active.
    public func prepare() throws {
        let watcher = try AddressWatcher()
        var handles: [PcapHandle] = []
        try reconcile(&handles, startup: true)
        if handles.isEmpty { logger.warning("no interface to capture on yet; waiting for interfaces to come up") }
        prepared.put((handles, watcher))
    }

    public func stop() { wake.signal() }

    public func captureStatistics() -> [CaptureStatistics] { counters.latest }

    public func run(_ sink: any ProbeSink) throws {
        guard case (var handles, let watcher)? = prepared.take() else {
            throw CaptureError("the pcap sentry was run without prepare()")
        }
        let gate = ProbeGate(settings: settings, sink: sink, logger: logger)
        var fds = pollSet(handles, watcher: watcher)
        while true {
            let rc = poll(&fds, nfds_t(fds.count), gate.refreshListeners(now: MonotonicClock.now()))
            if rc < 0 {
                if errno == EINTR { continue }
                throw CaptureError.system("poll", errno: errno)
            }
            if fds[0].revents != 0 { break }
            var changed = fds[1].revents != 0 && watcher.drain()
            for (i, handle) in handles.enumerated() where fds[i + 2].revents != 0 {
                if !handle.dispatch(to: gate) {
                    logger.warning("capture on \(handle.interface) stopped: \(handle.lastError)")
                    changed = true
                    handles.removeAll { $0 === handle }
                    break
                }
            }
            if changed {
                try reconcile(&handles, startup: false)
                fds = pollSet(handles, watcher: watcher)
            }
            counters.refresh(force: changed) { handles.map(\.statistics) }
        }
    }

    private func pollSet(_ handles: [PcapHandle], watcher: AddressWatcher) -> [pollfd] {
        [wake.fd, watcher.fd].map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            + handles.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
    }

    /// Opens handles for newly selected interfaces, closes those of vanished ones and refreshes
    /// every filter; an interface that fails is logged and skipped (see `tolerate`).
    private func reconcile(_ handles: inout [PcapHandle], startup: Bool) throws {
        let wanted = try selectedInterfaces(LocalInterfaces.snapshot(), startup: startup)
        handles.removeAll { h in !wanted.contains { $0.name == h.interface } }
        for (name, addresses) in wanted {
            do throws(CaptureError) {
                let handle: PcapHandle
                if let open = handles.first(where: { $0.interface == name }) {
                    handle = open
                } else {
                    handle = try PcapHandle(interface: name, settings: settings)
                    handles.append(handle)
                }
                let filter = addresses.isEmpty ? CaptureFilter.matchNothing
                    : CaptureFilter.expression(addresses: addresses, tcpPorts: settings.tcpPorts,
                                               udpPorts: settings.udpPorts)
                if filter != handle.filter {
                    try handle.setFilter(filter)
                    logger.debug("capture filter on \(name): \(filter)")
                }
            } catch {
                try tolerate(error, startup: startup)
                handles.removeAll { $0.interface == name }
            }
        }
    }

    /// At start-up a named interface that fails, or a missing permission, is fatal; any other
    /// failure (and every failure later) is logged and that interface skipped.
    private func tolerate(_ error: CaptureError, startup: Bool) throws(CaptureError) {
        if startup, case .named = settings.interfaces { throw error }
        if startup, error.isPermissionDenied { throw error }
        logger.warning("\(error.description)")
    }

    /// The interfaces the selection asks for, with the addresses each one's filter watches.
    private func selectedInterfaces(_ all: [LocalInterface], startup: Bool) throws(CaptureError)
        -> [(name: String, addresses: [IPAddress])] {
        switch settings.interfaces {
        case .any:
            return [("any", all.flatMap(\.addresses))]
        case .all:
            return all.filter(\.isUp).map { ($0.name, $0.addresses) }
        case .allButLoopback:
            return all.filter { $0.isUp && !$0.isLoopback }.map { ($0.name, $0.addresses) }
        case .named(let names):
            if startup, let missing = names.first(where: { n in !all.contains { $0.name == n } }) {
                throw CaptureError("unknown interface \(missing) (interfaces: \(all.map(\.name).joined(separator: ", ")))")
            }
            return names.compactMap { n in all.first { $0.name == n }.map { ($0.name, $0.addresses) } }
        }
    }
}

