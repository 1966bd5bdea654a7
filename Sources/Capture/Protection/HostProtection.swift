import Glibc
import Logging
import PortsentryCore
import Synchronization

/// What may never be banned on this host, kept current: PROTECT and PROTECT_FILE, and with
/// PROTECT_AUTO every local address, the default gateways, the resolvers of resolv.conf (and of
/// systemd-resolved's upstream list) and the peers of established SSH sessions. Interfaces and
/// routes are followed over rtnetlink, the resolver files by their change time (checked every
/// second); SSH sessions are asked of the kernel when a ban would hit a source (at most ten
/// times a second, so a forged flood cannot make it a cost).
public final class HostProtection: ProtectionSource {
    /// What to protect, from the config.
    public struct Settings: Sendable, Hashable {
        public var configured: [CIDR]
        public var automatic: Bool
        public var sshPorts: PortSet
        /// The resolver files read with `automatic`.
        public var resolverFiles = ["/etc/resolv.conf", "/run/systemd/resolve/resolv.conf"]

        public init(configured: [CIDR], automatic: Bool, sshPorts: PortSet) {
            self.configured = configured; self.automatic = automatic; self.sshPorts = sshPorts
        }
    }

    private struct State {
        var settings: Settings
        var addresses = ProtectedAddresses.empty
        var resolverStamps: [String: timespec?] = [:]
    }
    private let state: Mutex<State>
    /// Runs with the new addresses before they take effect (`beforeChange`).
    private let changeHook = Mutex<(@Sendable (ProtectedAddresses) -> Void)?>(nil)
    private let sessions = Mutex<(query: TCPSessions, peers: Set<IPAddress>, askedAt: UInt64)>((TCPSessions(), [], 0))
    private static let sessionRefreshNanoseconds: UInt64 = 100_000_000

    /// Reads everything once.
    public init(_ settings: Settings) {
        state = Mutex(State(settings: settings))
        refresh()
    }

    /// New settings (SIGHUP); everything is read again.
    public func update(_ settings: Settings) {
        state.withLock { $0.settings = settings }
        refresh()
    }

    public func snapshot() -> ProtectedAddresses { state.withLock { $0.addresses } }

    public func protection(of address: IPAddress) -> ProtectionReason? {
        if let known = state.withLock({ $0.addresses.reason(for: address) }) { return known }
        return sshSessionPeers().contains(address.unmapped) ? .sshSession : nil
    }

    public func protection(overlapping network: CIDR) -> (CIDR, ProtectionReason)? {
        if let known = snapshot().overlap(with: network) { return known }
        return sshSessionPeers().first(where: network.contains).map { (CIDR(host: $0), .sshSession) }
    }

    /// The peers of established SSH sessions now (none without PROTECT_AUTO).
    public func sshSessionPeers() -> Set<IPAddress> {
        let settings = state.withLock { $0.settings }
        guard settings.automatic, !settings.sshPorts.isEmpty else { return [] }
        return sshPeers(settings.sshPorts)
    }

    /// Has `hook` run, on the watching thread, with the new protected addresses each time they
    /// change, before anything sees them: the kernel trap exempts them first, so no source is
    /// ever protected in the daemon's view while the kernel would still ban it.
    public func beforeChange(_ hook: @escaping @Sendable (ProtectedAddresses) -> Void) {
        changeHook.withLock { $0 = hook }
    }

    /// Follows interface, address and route changes and the resolver files on a thread of its
    /// own, for the life of the process. Without rtnetlink everything is read again each second.
    public func startWatching(logger: Logger) {
        DedicatedThread.startRequired { [self] in
            let watcher: AddressWatcher?
            do { watcher = try AddressWatcher(routes: true) } catch {
                logger.warning("Protected addresses are re-read every second: \(error)")
                watcher = nil
            }
            var entry = pollfd(fd: watcher?.fd ?? -1, events: Int16(POLLIN), revents: 0)
            while true {
                let ready = poll(&entry, 1, 1000)
                let changed = watcher.map { ready > 0 && $0.drain() } ?? true || resolverFilesChanged()
                guard changed else { continue }
                let before = snapshot()
                refresh { new in if new != before { self.changeHook.withLock { $0 }?(new) } }
                let after = snapshot()
                if after != before { logger.info("Protected addresses now: \(Self.summary(after))") }
            }
        }
    }

    /// `local address 3, default gateway 1, ...` for the log and `portsentry-ctl status`.
    public static func summary(_ addresses: ProtectedAddresses) -> String {
        let parts = ProtectionReason.allCases.compactMap { r in addresses.entries[r].map { "\(r.rawValue) \($0.count)" } }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }

    // MARK: Reading

    /// Reads everything; `publishing` sees the result before it takes effect.
    private func refresh(publishing: (ProtectedAddresses) -> Void = { _ in }) {
        let settings = state.withLock { $0.settings }
        var networks: [ProtectionReason: [CIDR]] = [.configured: settings.configured]
        var stamps: [String: timespec?] = [:]
        if settings.automatic {
            let local = (try? LocalInterfaces.snapshot())?.flatMap(\.addresses) ?? []
            networks[.localAddress] = local.map(CIDR.init(host:))
            networks[.defaultGateway] = (HostNetworkFiles.ipv4DefaultGateways(Self.text("/proc/thread-self/net/route"))
                + HostNetworkFiles.ipv6DefaultGateways(Self.text("/proc/thread-self/net/ipv6_route"))).map(CIDR.init(host:))
            networks[.resolver] = settings.resolverFiles.flatMap { HostNetworkFiles.nameservers(Self.text($0)) }.map(CIDR.init(host:))
            for path in settings.resolverFiles { stamps[path] = Self.changeTime(path) }
        }
        let addresses = ProtectedAddresses(networks)
        publishing(addresses)
        state.withLock { $0.addresses = addresses; $0.resolverStamps = stamps }
    }

    private func resolverFilesChanged() -> Bool {
        let (settings, stamps) = state.withLock { ($0.settings, $0.resolverStamps) }
        guard settings.automatic else { return false }
        return settings.resolverFiles.contains { path in
            let now = Self.changeTime(path), then = stamps[path] ?? nil
            return now?.tv_sec != then?.tv_sec || now?.tv_nsec != then?.tv_nsec
        }
    }

    private func sshPeers(_ ports: PortSet) -> Set<IPAddress> {
        sessions.withLock { s in
            let now = MonotonicClock.now()
            if now &- s.askedAt >= Self.sessionRefreshNanoseconds {
                s.peers = s.query.peers(onLocalPorts: ports) ?? s.peers
                s.askedAt = now
            }
            return s.peers
        }
    }

    private static func text(_ path: String) -> String {
        if case .text(let text) = TextFile.contents(of: path) { return text }
        return ""
    }

    /// The change time of a file (following links, as resolv.conf often is one); nil if missing.
    private static func changeTime(_ path: String) -> timespec? {
        var st = stat()
        return stat(path, &st) == 0 ? st.st_ctim : nil
    }
}
