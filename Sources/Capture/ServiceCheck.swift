import Logging
import PortsentryCore

/// Is a service running on a probe's destination port? (docs/stealth.md) The cached listener
/// view answers at no syscall cost; a port it shows as unserved is confirmed with a fresh
/// sock_diag look, because a client socket may live only a few milliseconds (the host's own DNS
/// query from a watched ephemeral port). If the fresh look fails, the cached answer stands and
/// the failure is logged once. Lives on the capture thread only.
final class ServiceCheck {
    private let cache: ListenerCache
    private let diag: SocketDiag?
    private let logger: Logger
    private var warned = false

    init(refreshInterval: UInt64, logger: Logger) {
        cache = ListenerCache(refreshInterval: refreshInterval)
        self.logger = logger
        do throws(CaptureError) {
            diag = try SocketDiag()
        } catch {
            diag = nil
            warnOnce(error)
        }
    }

    /// Re-reads the cached view if it is due; returns when it is next due.
    func refreshIfDue(now: UInt64) -> UInt64 { cache.refreshIfDue(now: now) }

    func isServed(_ proto: TransportProtocol, address: IPAddress, port: UInt16) -> Bool {
        if cache.table.hasListener(proto, address: address, port: port) { return true }
        guard let diag else { return false }
        switch diag.isServed(proto, address: address, port: port) {
        case .success(let served): return served
        case .failure(let error):
            warnOnce(error)
            return false
        }
    }

    private func warnOnce(_ error: CaptureError) {
        if warned { return }
        warned = true
        logger.warning("service check: \(error); using the listener view read every second instead")
    }
}
