import Capture
import Control
import Firewall
import Glibc
import PortsentryCore

/// The running daemon's answers to portsentry-ctl: ban commands go through the ban service
/// (its policy, backend and BLOCKED_FILE); an unblocked source starts counting from zero.
struct DaemonControlHandler: ControlHandler {
    let daemon: Daemon
    /// When the daemon started, seconds since the epoch.
    let startedAt: Int64

    private var commands: BanCommands { BanCommands(bans: daemon.bans) }

    func status() async throws -> StatusReport {
        let options = daemon.options
        let live = daemon.bans.bans()
        return StatusReport(
            version: "\(PortsentryVersion.number) (\(PortsentryVersion.gitHash))", pid: getpid(), startedAt: startedAt,
            mode: options.mode.rawValue, method: options.mode == .stealth ? options.method.rawValue : nil,
            interfaces: options.mode == .stealth ? options.interfaces : [],
            backend: daemon.dryRun ? daemon.rule.backend.rawValue : daemon.bans.backend.kind.rawValue,
            bansIPv4: live.filter { $0.family == .inet }.count,
            bansIPv6: live.filter { $0.family == .inet6 }.count,
            eventsSinceStart: daemon.engine.eventsReceived,
            bansSinceStart: daemon.bans.bansMade,
            configFile: options.configFile,
            dryRun: daemon.dryRun,
            protected: HostProtection.summary(daemon.protection.snapshot())
                + (daemon.config.protectAuto && !daemon.config.protectSSHPorts.isEmpty ? "; ssh sessions on port \(daemon.config.protectSSHPorts.ports.map(String.init).joined(separator: ","))" : ""),
            fleet: daemon.fleet?.status(live), kernelBan: daemon.kernelTrap.summary)
    }

    func list() async throws -> [BanEntry] { commands.list() }

    func block(_ order: BlockOrder) async throws -> [TargetResult] {
        try await commands.block(order)
    }

    func unblock(_ targets: [CIDR]) async throws -> [TargetResult] {
        let (results, removed) = try await commands.unblock(targets)
        forget((removed + targets).map(\.network))
        return results
    }

    func flush() async throws -> Int {
        let removed = try await commands.flush()
        forget(removed.map(\.network))
        return removed.count
    }

    func reload() async throws -> ReloadReport {
        switch await daemon.reloadReporting() {
        case .success: ReloadReport(accepted: true, message: "configuration reloaded from \(daemon.options.configFile)")
        case .failure(let error): ReloadReport(accepted: false, message: "\(error)")
        }
    }

    func protected() async throws -> [ProtectedEntry] {
        ProtectedEntry.list(daemon.protection.snapshot())
    }

    func explain(_ target: CIDR) async throws -> Explanation { commands.explain(target) }

    func activity() async throws -> ActivityReport {
        daemon.activity.report(liveBans: daemon.bans.bans(), dropped: await daemon.bans.dropCounters())
    }

    /// Unbanned hosts and prefixes start counting from zero again (a prefix by its network
    /// address, which is its counting key).
    private func forget(_ hosts: [IPAddress]) {
        for host in hosts { daemon.engine.resetCount(of: host) }
    }
}
