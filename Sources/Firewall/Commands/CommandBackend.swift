import PortsentryCore

/// The portsentry 2.x backend: KILL_HOSTS_DENY appends its line to hosts.deny, then KILL_ROUTE
/// runs through `/bin/sh -c`, tokens substituted, each decision in turn. It keeps no bans: the
/// ban service's BLOCKED_FILE list says who was blocked, and nothing expires or can be lifted.
/// Its thread may wait for the commands (30 s at most each).
public final class CommandBackend: BanBackend {
    public let hostsDenyTemplate: String?
    public let routeTemplate: String?
    public let hostsDeny: HostsDenyFile
    private let thread = SerialThread()
    public let expiries: AsyncStream<BanRelease> = AsyncStream { $0.finish() }

    public init(hostsDeny: String?, route: String?, hostsDenyFile: HostsDenyFile = HostsDenyFile()) {
        hostsDenyTemplate = hostsDeny
        routeTemplate = route
        self.hostsDeny = hostsDenyFile
    }

    /// KILL_HOSTS_DENY and KILL_ROUTE of `config`.
    public convenience init(config: Config) {
        self.init(hostsDeny: config.killHostsDeny, route: config.killRoute)
    }

    public var kind: BackendKind { .command }
    public var keepsBans: Bool { false }

    public func schedule(_ work: @escaping @Sendable () -> Void) { thread.schedule(work) }

    /// What KILL_HOSTS_DENY and KILL_ROUTE become for `decision`, in the order they run. They
    /// name hosts: a prefix ban runs them for the host whose probe made it, and a manual or
    /// fleet prefix ban (no such host) not at all.
    public func enforcements(for decision: BanDecision) -> [Enforcement] {
        guard let host = decision.target.isHost ? decision.address : decision.source else { return [] }
        let port: UInt16, mode: SentryMode
        if case .probe(let evidence) = decision.origin {
            (port, mode) = (evidence.port, evidence.mode ?? .stealth)
        } else {
            (port, mode) = (0, .stealth)
        }
        func render(_ t: String) -> String { CommandTemplate(t).render(target: host, port: port, mode: mode) }
        return [hostsDenyTemplate.map { Enforcement.wrappers(line: render($0)) },
                routeTemplate.map { Enforcement.route(command: render($0)) }].compactMap { $0 }
    }

    public func apply(_ decisions: [BanDecision]) -> [BanResult] {
        decisions.map { decision in
            BanResult(decision: decision, steps: enforcements(for: decision).map { run($0, for: decision) })
        }
    }

    private func run(_ enforcement: Enforcement, for decision: BanDecision) -> EnforcementStep {
        switch enforcement {
        case .wrappers(let line):
            do {
                try hostsDeny.append(line)
                return EnforcementStep(enforcement, .applied)
            } catch {
                return EnforcementStep(enforcement, .failed("Cannot add \"\(line)\" to \(hostsDeny.path): \(error)"))
            }
        case .route(let command):
            let result = ShellCommand.run(command)
            return EnforcementStep(enforcement, result.succeeded ? .applied : .failed("\(result)"))
        case .nftables:
            return EnforcementStep(enforcement, .failed("not a command"))
        }
    }

    public func lift(_ targets: [CIDR]) throws(BanBackendError) -> [CIDR] { throw Self.cannotChange }
    public func flush() throws(BanBackendError) -> [CIDR] { throw Self.cannotChange }

    static let cannotChange = BanBackendError(
        "bans are made by KILL_ROUTE/KILL_HOSTS_DENY commands (BLOCK_BACKEND=command or a legacy config); portsentry-ctl can only list BLOCKED_FILE")

    public func isBanned(_ address: IPAddress) -> Bool { false }
    public func bans() -> [Ban] { [] }
    public func recordHit(_ address: IPAddress) {}
    public func maintain() async {}
    public func shutdown() async {}
}
