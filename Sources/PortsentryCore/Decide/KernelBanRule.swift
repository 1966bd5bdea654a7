/// KERNEL_BAN: whether nftables bans a probe's source in the packet path, per protocol, and why.
/// The kernel rule must agree with the daemon's own decision, so it is on only where that
/// decision is "ban on the first probe": stealth mode (the kernel sees the probe before any
/// socket does), the nftables backend, SCAN_TRIGGER 0 or 1, BLOCK_x="1", no BAN_RATE_LIMIT, no
/// dry run. docs/nftables.md "Banning in the packet path".
public struct KernelBanRule: Sendable, Hashable {
    /// The protocols the kernel bans on.
    public let protocols: Set<TransportProtocol>
    /// Why it is off (or on), for the start-up line and `portsentry-ctl status`.
    public let reason: String
    /// KERNEL_BAN="1" asked for it, but the config rules it out: the daemon refuses to start.
    public let refusal: ConfigError?

    /// - Parameters:
    ///   - stealth: the sentry captures packets (not connect mode).
    ///   - watched: the protocols the daemon watches.
    ///   - nftables: the running backend bans through nftables.
    public init(config: Config, stealth: Bool, watched: Set<TransportProtocol>, nftables: Bool, dryRun: Bool) {
        let blocking = watched.filter { ($0 == .tcp ? config.blockTCP : config.blockUDP) == .block }
        let unmet: String? =
            if config.kernelBan == .off { "KERNEL_BAN=\"0\"" }
            else if dryRun { "dry run" }
            else if !stealth { "connect mode; it needs stealth mode" }
            else if !nftables { "the blocking backend is not nftables" }
            else if config.scanTrigger > 1 { "SCAN_TRIGGER=\"\(config.scanTrigger)\": the daemon counts the probes of each source" }
            else if config.banRateLimit > 0 { "BAN_RATE_LIMIT=\"\(config.banRateLimit)\" caps bans in the daemon" }
            else if blocking.isEmpty { "no watched protocol has BLOCK_TCP/BLOCK_UDP=\"1\"" }
            else { nil }
        if let unmet {
            protocols = []
            reason = unmet
            refusal = config.kernelBan == .on && !dryRun
                ? ConfigError(path: config.path, line: config.lines[.kernelBan],
                              "KERNEL_BAN=\"1\" cannot be met: \(unmet); set KERNEL_BAN=\"auto\" (the kernel bans whenever it can) or \"0\"")
                : nil
        } else {
            protocols = blocking
            reason = "KERNEL_BAN=\"\(config.kernelBan.rawValue)\", stealth mode, nftables, SCAN_TRIGGER=\"\(config.scanTrigger)\""
            refusal = nil
        }
    }

    public var isOn: Bool { !protocols.isEmpty }

    /// `Kernel ban: on for TCP and UDP (...)` or `Kernel ban: off (...); bans are made by the daemon`.
    public var line: String {
        guard isOn else { return "Kernel ban: off (\(reason)); probes are banned by the daemon" }
        let names = [TransportProtocol.tcp, .udp].filter(protocols.contains).map(\.rawValue).joined(separator: " and ")
        return "Kernel ban: on for \(names) (\(reason)); the probe's own packet bans its source"
    }
}
