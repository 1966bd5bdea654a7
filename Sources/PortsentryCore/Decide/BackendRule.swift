/// Which backend bans for a config (BLOCK_BACKEND), and why: the rule the daemon and
/// portsentry-ctl's offline mode share.
///
/// - A config that names a portsentry 2.x blocking method, KILL_ROUTE or KILL_HOSTS_DENY,
///   behaves exactly as 2.x: its commands run, no nftables table is made.
/// - A config that names neither bans through nftables.
/// - KILL_RUN_CMD is a hook that runs with either backend; it does not choose.
/// - `BLOCK_BACKEND="nftables"` adds nftables bans to a legacy config (KILL_ROUTE then only
///   serves as the fallback), `BLOCK_BACKEND="command"` forces the legacy commands.
public struct BackendRule: Sendable, Hashable {
    public enum Backend: String, Sendable, Hashable {
        /// Nothing is banned: neither BLOCK_TCP nor BLOCK_UDP is 1.
        case none
        case nftables
        /// The legacy commands, KILL_HOSTS_DENY and KILL_ROUTE.
        case commands = "command"
    }

    public let backend: Backend
    /// Why, in words for `--check-config` and `-v`.
    public let reason: String

    public init(_ config: Config) {
        let legacy = [(config.killRoute, "KILL_ROUTE"), (config.killHostsDeny, "KILL_HOSTS_DENY")]
            .compactMap { $0.0 == nil ? nil : $0.1 }
        if config.blockTCP != .block && config.blockUDP != .block {
            (backend, reason) = (.none, "neither BLOCK_TCP nor BLOCK_UDP is 1")
            return
        }
        switch config.blockBackend {
        case .command:
            (backend, reason) = (.commands, "BLOCK_BACKEND=\"command\"")
        case .nftables:
            (backend, reason) = (.nftables, "BLOCK_BACKEND=\"nftables\"")
        case .auto where !legacy.isEmpty:
            (backend, reason) = (.commands, "BLOCK_BACKEND=\"auto\" and the config names \(legacy.joined(separator: " and ")), as portsentry 2.x configs do; set BLOCK_BACKEND=\"nftables\" to ban through nftables as well")
        case .auto:
            (backend, reason) = (.nftables, "BLOCK_BACKEND=\"auto\" and the config names neither KILL_ROUTE nor KILL_HOSTS_DENY")
        }
    }

    /// `Blocking backend: nftables (BLOCK_BACKEND="auto" and ...)`.
    public var line: String {
        switch backend {
        case .none: "Blocking backend: none (\(reason))"
        case .nftables, .commands: "Blocking backend: \(backend.rawValue) (\(reason))"
        }
    }
}
