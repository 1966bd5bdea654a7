import Control
import Firewall
import Glibc
import PortsentryCore

/// The running daemon's answers to portsentry-ctl. Bans go through the nftables backend
/// (`BanControl`); BLOCKED_FILE and the per-source counters follow every change.
struct DaemonControlHandler: ControlHandler {
    let daemon: Daemon
    /// When the daemon started, seconds since the epoch.
    let startedAt: Int64

    /// Why ban commands fail with the legacy command backend.
    struct CommandBackend: Error, CustomStringConvertible {
        var description: String {
            "bans are made by KILL_ROUTE/KILL_HOSTS_DENY commands (BLOCK_BACKEND=command or a legacy config); portsentry-ctl can only list BLOCKED_FILE"
        }
    }

    func status() async throws -> StatusReport {
        let options = daemon.options
        let metrics = daemon.banner?.metrics()
        let legacy = daemon.banner == nil ? blockedFileHosts() : []
        return StatusReport(
            version: "\(PortsentryVersion.number) (\(PortsentryVersion.gitHash))", pid: getpid(), startedAt: startedAt,
            mode: options.mode.rawValue, method: options.mode == .stealth ? options.method.rawValue : nil,
            interfaces: options.mode == .stealth ? options.interfaces : [],
            backend: daemon.enforcement == .nftables ? "nftables" : "command",
            bansIPv4: metrics?.live[.inet] ?? legacy.filter { $0.family == .inet }.count,
            bansIPv6: metrics?.live[.inet6] ?? legacy.filter { $0.family == .inet6 }.count,
            eventsSinceStart: daemon.engine.eventsReceived,
            bansSinceStart: UInt64(metrics?.totalBans ?? 0),
            configFile: options.configFile)
    }

    func list() async throws -> [BanEntry] {
        guard let control = banControl else {
            return blockedFileHosts().map { BanEntry(address: "\($0)", expiresIn: nil, bannedAt: nil, trigger: nil, hits: 0) }
        }
        return control.list()
    }

    func block(_ order: BlockOrder) async throws -> [TargetResult] {
        guard let control = banControl else { throw CommandBackend() }
        let screen = BlockScreen(ignore: daemon.engine.settings.ignoreList, localAddresses: LocalAddresses.current())
        let (results, banned) = await control.block(order, screen: screen)
        daemon.pipeline.recordManualBans(banned)
        return results
    }

    func unblock(_ targets: [CIDR]) async throws -> [TargetResult] {
        guard let control = banControl else { throw CommandBackend() }
        let (results, removed) = try await control.unblock(targets)
        forget(removed + targets.filter(\.isHost).map(\.network))
        return results
    }

    func flush() async throws -> Int {
        guard let control = banControl else { throw CommandBackend() }
        let removed = try await control.flush()
        forget(removed)
        return removed.count
    }

    func reload() async throws -> ReloadReport {
        switch await daemon.reloadReporting() {
        case .success: ReloadReport(accepted: true, message: "configuration reloaded from \(daemon.options.configFile)")
        case .failure(let error): ReloadReport(accepted: false, message: "\(error)")
        }
    }

    private var banControl: BanControl? { daemon.banner.map(BanControl.init(banner:)) }

    /// Unbanned hosts start counting from zero again. (They leave BLOCKED_FILE when the
    /// backend's release reaches the pipeline, right after the unban.)
    private func forget(_ hosts: [IPAddress]) {
        for host in hosts { daemon.engine.resetCount(of: host) }
    }

    private func blockedFileHosts() -> [IPAddress] {
        daemon.config.blockedFile.map { BlockedFile(path: $0).load() } ?? []
    }
}
