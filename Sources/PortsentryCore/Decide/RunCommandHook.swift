/// KILL_RUN_CMD: a command run for a triggered source whichever backend bans it — before the
/// ban with KILL_RUN_CMD_FIRST=1, after it otherwise — and alone with BLOCK_x=2.
public struct RunCommandHook: Sendable, Hashable {
    public var template: String?
    public var runsFirst: Bool

    public init(config: Config) {
        template = config.killRunCmd
        runsFirst = config.killRunCmdFirst
    }

    /// The command for `event`, tokens substituted; nil when KILL_RUN_CMD is unset.
    public func command(for event: ProbeEvent) -> String? {
        template.map { CommandTemplate($0).render(target: event.source, port: event.port, mode: event.mode) }
    }
}
