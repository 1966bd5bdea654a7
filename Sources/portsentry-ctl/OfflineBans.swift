import Control
import Firewall
import Logging
import PortsentryCore

/// The nftables backend opened by portsentry-ctl itself while the daemon is down: the kernel
/// sets, STATE_FILE and BLOCKED_FILE are changed directly.
struct OfflineBans {
    let control: BanControl
    let config: Config

    /// Opens the backend for `config`, runs `body`, and closes the backend (writing the state file).
    static func run(config: Config, _ body: (OfflineBans) async throws(CtlFailure) -> ControlResponse)
        async throws(CtlFailure) -> ControlResponse
    {
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

    /// Blocks after checking the ignore file (IGNORE_FILE) and this host's addresses.
    func block(_ order: BlockOrder) async throws(CtlFailure) -> ControlResponse {
        var ignore = IgnoreList.empty
        if let path = config.ignoreFile {
            do {
                ignore = try IgnoreList.load(path: path).0
            } catch {
                guard order.force else { throw CtlFailure("\(error) (use --force to block without checking it)") }
            }
        }
        let screen = BlockScreen(ignore: ignore, localAddresses: LocalAddresses.current())
        return .results(await control.block(order, screen: screen))
    }

    func unblock(_ targets: [CIDR]) async throws(CtlFailure) -> ControlResponse {
        let outcome: (results: [TargetResult], removed: [IPAddress])
        do {
            outcome = try await control.unblock(targets)
        } catch {
            throw CtlFailure(error)
        }
        try forget(outcome.removed)
        return .results(outcome.results)
    }

    func flush() async throws(CtlFailure) -> ControlResponse {
        let removed: [IPAddress]
        do {
            removed = try await control.flush()
        } catch {
            throw CtlFailure(error)
        }
        try forget(removed)
        return .flushed(removed.count)
    }

    /// Removes unbanned hosts from BLOCKED_FILE, as the daemon does when bans end.
    private func forget(_ addresses: [IPAddress]) throws(CtlFailure) {
        // BLOCKED_FILE editing lands with the blocked-file format in PortsentryCore.
    }
}
