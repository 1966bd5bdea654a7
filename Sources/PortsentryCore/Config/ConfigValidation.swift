/// Which protocols the command line watches, and which of them use advanced mode
/// (every port up to ADVANCED_PORTS_*), so the config check knows which port lists must be set.
public struct PortWatch: Sendable, Hashable {
    public var protocols: Set<TransportProtocol>
    /// Protocols (among `protocols`) watched in advanced mode.
    public var advanced: Set<TransportProtocol>

    public init(protocols: Set<TransportProtocol> = [.tcp, .udp], advanced: Set<TransportProtocol> = []) {
        self.protocols = protocols; self.advanced = advanced.intersection(protocols)
    }

    /// Both protocols with their configured port lists (the default command line).
    public static let standard = PortWatch()
}

extension Config {
    /// The ports watched for `proto`: the configured list, or in advanced mode every port from 1
    /// to ADVANCED_PORTS_* except ADVANCED_EXCLUDE_* (listening services are skipped at run time).
    public func ports(for proto: TransportProtocol, advanced: Bool) -> PortSet {
        guard advanced else { return proto == .tcp ? tcpPorts : udpPorts }
        let top = proto == .tcp ? advancedPortsTCP : advancedPortsUDP
        return PortSet([1...top]).subtracting(proto == .tcp ? advancedExcludeTCP : advancedExcludeUDP)
    }

    /// The checks between keys (docs/configuration.md): BLOCK_x=2 needs KILL_RUN_CMD, and the watched
    /// protocols need at least one port to watch.
    public func validate(watching: PortWatch = .standard) throws(ConfigError) {
        for (key, mode) in [(ConfigKey.blockTCP, blockTCP), (.blockUDP, blockUDP)]
        where mode == .runCommandOnly && killRunCmd == nil {
            throw ConfigError(path: path, line: lines[key],
                              "\(key.rawValue)=\"2\" runs KILL_RUN_CMD only, but KILL_RUN_CMD is not set; set KILL_RUN_CMD or use \(key.rawValue)=\"1\"")
        }
        let watched = [TransportProtocol.tcp, .udp].filter { watching.protocols.contains($0) }
        if !watched.isEmpty, watched.allSatisfy({ ports(for: $0, advanced: watching.advanced.contains($0)).isEmpty }) {
            let keys = watched.map { watching.advanced.contains($0) ? "ADVANCED_PORTS_\($0.rawValue)" : "\($0.rawValue)_PORTS" }
            throw ConfigError(path: path, "no ports to watch; set \(keys.joined(separator: " or "))")
        }
        try validateBanLifecycle()
        try validateCrowdSec()
    }

    /// BAN_TIME_MAX caps escalated bans, so it may not be shorter than BAN_TIME; a scan window
    /// keeps up to SCAN_TRIGGER probes per source, so the trigger is bounded with one.
    func validateBanLifecycle() throws(ConfigError) {
        if let cap = banTimeMax, banTime != 0, cap < banTime {
            throw ConfigError(path: path, line: lines[.banTimeMax],
                              "BAN_TIME_MAX=\"\(BanDuration(seconds: cap))\" is shorter than BAN_TIME=\"\(BanDuration(seconds: banTime))\"; set BAN_TIME_MAX to at least BAN_TIME")
        }
        if scanWindow != nil || scanTriggerPorts, scanTrigger > ProbeTrail.maximumTrigger {
            let key = scanWindow != nil ? "SCAN_WINDOW" : "SCAN_TRIGGER_PORTS"
            throw ConfigError(path: path, line: lines[.scanTrigger],
                              "SCAN_TRIGGER=\"\(scanTrigger)\" is too large with \(key); use at most \(ProbeTrail.maximumTrigger)")
        }
    }
}
