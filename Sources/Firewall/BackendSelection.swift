import Logging
import PortsentryCore

/// Builds and starts the backend that `BackendRule` chooses for a config (or the dry run that
/// stands in for it): the one place the daemon and portsentry-ctl get their backend from.
public enum BackendSelection {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        /// The process lacks CAP_NET_ADMIN.
        public var missingCapability = false
    }

    /// The running backend for `config`. With `dryRun`, nothing is started: the dry run
    /// simulates the chosen backend's steps. nftables that cannot start falls back to KILL_ROUTE
    /// when the config has one (a warning), and is an error that says what is missing otherwise.
    /// `maintained`: the caller runs the backend's `maintain()` (the daemon), which may then
    /// finish the start-up's slower parts after it returns.
    public static func start(_ config: Config, dryRun: Bool, maintained: Bool = false, logger: Logger) async throws(Failure) -> any BanBackend {
        let rule = BackendRule(config)
        if dryRun { return try DryRunBackend(simulating: rule, config) }
        switch rule.backend {
        case .none, .commands:
            return CommandBackend(config: config)
        case .nftables:
            do {
                let nft = try NftablesBackend(config: config, logger: logger)
                try await nft.start(maintained: maintained)
                return config.killHostsDeny.map { HostsDenyLayer(hostsDeny: $0, over: nft) } ?? nft
            } catch {
                guard config.killRoute != nil else {
                    throw Failure(description: "nftables blocking cannot start: \(error). Run as root (CAP_NET_ADMIN), load nf_tables, or set KILL_ROUTE / BLOCK_BACKEND=\"command\" in \(config.path)",
                                  missingCapability: error == .missingCapability)
                }
                logger.warning("nftables blocking cannot start (\(error)); falling back to KILL_ROUTE")
                return CommandBackend(config: config)
            }
        }
    }
}

extension DryRunBackend {
    /// A dry run of the backend `rule` chose for `config`.
    convenience init(simulating rule: BackendRule, _ config: Config) throws(BackendSelection.Failure) {
        let commands = CommandBackend(config: config)
        switch rule.backend {
        case .none, .commands:
            self.init { commands.enforcements(for: $0) }
        case .nftables:
            let layout: NftLayout
            do { layout = try NftLayout(config: config) } catch { throw .init(description: "\(error)") }
            let wrappers = CommandBackend(hostsDeny: config.killHostsDeny, route: nil)
            self.init { d in
                wrappers.enforcements(for: d) + [.nftables(table: layout.table, set: layout.setName(d.target))]
            }
        }
    }
}
