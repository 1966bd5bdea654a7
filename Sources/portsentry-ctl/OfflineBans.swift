import Control
import Glibc
import Firewall
import Logging
import PortsentryCore

/// The nftables backend opened by portsentry-ctl itself while the daemon is down: the kernel
/// sets and STATE_FILE are changed directly.
struct OfflineBans {
    let control: BanControl
    let config: Config

    /// Opens the backend for `config`, runs `body`, and closes the backend (writing the state file).
    static func run(config: Config, _ body: (OfflineBans) async throws(CtlFailure) -> ControlResponse)
        async throws(CtlFailure) -> ControlResponse
    {
        // design.md "Backend choice": these configs ban with KILL_ROUTE, not with our table.
        if config.blockBackend == .command || (config.blockBackend == .auto && config.killRoute != nil) {
            throw CtlFailure("daemon not running, and its bans are made by KILL_ROUTE/KILL_HOSTS_DENY commands (BLOCK_BACKEND) that portsentry-ctl cannot change")
        }
        var logger = Logger(label: "portsentry-ctl") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let banner: NftablesBanner
        do {
            banner = try NftablesBanner(config: config, logger: logger)
            try await banner.start(maintenance: false)
        } catch {
            throw CtlFailure(error)
        }
        let outcome: Result<ControlResponse, CtlFailure>
        do {
            outcome = .success(try await body(OfflineBans(control: BanControl(banner: banner), config: config)))
        } catch {
            outcome = .failure(error)
        }
        await banner.shutdown()
        return try outcome.get()
    }

    func list() -> ControlResponse {
        .bans(control.list())
    }

    /// Blocks after checking the ignore files (IGNORE_FILE and, as the daemon reads it,
    /// IGNORE_FILE.static) and this host's addresses.
    func block(_ order: BlockOrder) async throws(CtlFailure) -> ControlResponse {
        var ignore = IgnoreList.empty
        if let path = config.ignoreFile {
            do {
                ignore = try IgnoreList.load(paths: [path, path + ".static"]).0
            } catch {
                guard order.force else { throw CtlFailure("\(error) (use --force to block without checking it)") }
            }
        }
        let screen = BlockScreen(ignore: ignore, localAddresses: LocalAddresses.current())
        let (results, banned) = await control.block(order, screen: screen)
        if let file = blockedFile {
            let known = Set(file.load())
            for address in banned where !known.contains(address) { _ = file.append(address) }
        }
        return .results(results)
    }

    func unblock(_ targets: [CIDR]) async throws(CtlFailure) -> ControlResponse {
        do {
            let (results, removed) = try await control.unblock(targets)
            forget(removed + targets.filter(\.isHost).map(\.network))
            return .results(results)
        } catch {
            throw CtlFailure(error)
        }
    }

    func flush() async throws(CtlFailure) -> ControlResponse {
        do {
            let removed = try await control.flush()
            forget(removed)
            return .flushed(removed.count)
        } catch {
            throw CtlFailure(error)
        }
    }

    /// BLOCKED_FILE, as the daemon keeps it, if the config names one.
    private var blockedFile: BlockedFile? { config.blockedFile.map(BlockedFile.init(path:)) }

    /// Lifted bans leave BLOCKED_FILE, as they do when the daemon lifts them.
    private func forget(_ hosts: [IPAddress]) {
        guard let file = blockedFile, !hosts.isEmpty else { return }
        if let err = file.remove(Set(hosts)) {
            Output.error("cannot update \(file.path): \(String(cString: strerror(err)))")
        }
    }
}
