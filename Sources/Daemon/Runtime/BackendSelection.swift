import Firewall
import Logging
import PortsentryCore

/// Resolves BLOCK_BACKEND (design.md "Backend choice") and starts the nftables backend when
/// it is chosen.
enum BackendSelection {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// The enforcement to use and the running nftables backend, if any.
    static func start(_ config: Config, logger: Logger) async throws(Failure) -> (Enforcement, NftablesBanner?) {
        // Nothing to ban (log only, or KILL_RUN_CMD only): no firewall needed.
        guard config.blockTCP == .block || config.blockUDP == .block else { return (.commands, nil) }
        switch config.blockBackend {
        case .command:
            return (.commands, nil)
        case .auto where config.killRoute != nil:
            return (.commands, nil)
        case .auto, .nftables:
            do {
                let banner = try NftablesBanner(config: config, logger: logger)
                try await banner.start()
                return (.nftables, banner)
            } catch {
                guard config.killRoute != nil else {
                    throw Failure(description: "nftables blocking cannot start: \(error). Run as root (CAP_NET_ADMIN), load nf_tables, or set KILL_ROUTE / BLOCK_BACKEND=\"command\" in \(config.path)")
                }
                logger.warning("nftables blocking cannot start (\(error)); falling back to KILL_ROUTE")
                return (.commands, nil)
            }
        }
    }
}
