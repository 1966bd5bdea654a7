/// How bans are enforced once the backend choice of design.md is resolved.
public enum Enforcement: Sendable, Hashable {
    /// Add the source to the nftables set (KILL_ROUTE is not run).
    case nftables
    /// Run KILL_ROUTE, as portsentry 2.x does.
    case commands
}

/// One step of disposing of a source, in the order it must run (compat.md §4 step 6).
public enum BlockAction: Sendable, Hashable {
    /// KILL_RUN_CMD, tokens substituted.
    case runCommand(String)
    /// KILL_HOSTS_DENY line, tokens substituted, appended to hosts.deny.
    case hostsDeny(String)
    /// KILL_ROUTE, tokens substituted.
    case route(String)
    /// Add to the nftables ban set.
    case nftablesBan
}

/// Expands the config's KILL_* keys into the ordered actions for one triggered event.
public struct ActionPlanner: Sendable {
    public var killRunCmd: String?
    public var killRunCmdFirst: Bool
    public var killHostsDeny: String?
    public var killRoute: String?
    public var enforcement: Enforcement

    public init(config: Config, enforcement: Enforcement) {
        killRunCmd = config.killRunCmd
        killRunCmdFirst = config.killRunCmdFirst
        killHostsDeny = config.killHostsDeny
        killRoute = config.killRoute
        self.enforcement = enforcement
    }

    /// Mode 1: KILL_RUN_CMD (if first), KILL_HOSTS_DENY, KILL_ROUTE or the nftables ban,
    /// KILL_RUN_CMD (if not first). Mode 2: KILL_RUN_CMD only. Mode 0: nothing.
    public func actions(for mode: BlockMode, event: ProbeEvent) -> [BlockAction] {
        func render(_ template: String) -> String {
            CommandTemplate(template).render(target: event.source, port: event.port, mode: event.mode)
        }
        let runCmd = killRunCmd.map { BlockAction.runCommand(render($0)) }
        switch mode {
        case .logOnly: return []
        case .runCommandOnly: return runCmd.map { [$0] } ?? []
        case .block:
            var out: [BlockAction] = []
            if killRunCmdFirst, let r = runCmd { out.append(r) }
            if let d = killHostsDeny { out.append(.hostsDeny(render(d))) }
            switch enforcement {
            case .nftables: out.append(.nftablesBan)
            case .commands: if let r = killRoute { out.append(.route(render(r))) }
            }
            if !killRunCmdFirst, let r = runCmd { out.append(r) }
            return out
        }
    }
}
