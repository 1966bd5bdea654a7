import Capture
import Dispatch
import Firewall
import Logging
import PortsentryCore
import Synchronization

/// Keeps the kernel trap (KERNEL_BAN) in step with the daemon's own view: the watched ports of
/// the protocols the rule covers minus those with a listener and those inside the ephemeral
/// range, and as exempt every source the daemon would never ban (ignore file, protected and
/// local addresses, SSH peers). Refreshed each second (`KernelTrapService`) and on SIGHUP; a
/// change is one nftables transaction. The pipeline learns the trap in force, to say in its
/// lines that the kernel made a ban.
final class KernelTrapKeeper: Sendable {
    /// What the trap is computed from; fixed between reloads.
    struct Inputs: Sendable, Hashable {
        var rule: KernelBanRule
        var watchedTCP: PortSet
        var watchedUDP: PortSet
        var ignoreList: IgnoreList
        var ingress: KernelTrap.Ingress
        var banSeconds: UInt64
    }

    private let nft: NftablesBackend?
    private let protection: HostProtection
    private let pipeline: EventPipeline
    private let logger: Logger
    private let state = Mutex<(inputs: Inputs?, served: Set<String>, failing: Bool, trap: KernelTrap?)>((nil, [], false, nil))

    init(backend: any BanBackend, protection: HostProtection, pipeline: EventPipeline, logger: Logger) {
        nft = Self.nftables(backend)
        self.protection = protection; self.pipeline = pipeline; self.logger = logger
        guard nft != nil else { return }
        protection.beforeChange { [weak self] addresses in self?.refreshWaiting(protected: addresses) }
    }

    /// From the protection's watching thread: the trap follows new protected addresses before
    /// they take effect (waits at most a second for the kernel).
    private func refreshWaiting(protected: ProtectedAddresses) {
        let done = DispatchSemaphore(value: 0)
        Task {
            await refresh(protected: protected)
            done.signal()
        }
        _ = done.wait(timeout: .now() + 1)
    }

    /// The nftables backend that bans, also under KILL_HOSTS_DENY; nil for any other.
    static func nftables(_ backend: any BanBackend) -> NftablesBackend? {
        backend as? NftablesBackend ?? (backend as? HostsDenyLayer)?.base as? NftablesBackend
    }

    /// The rule for a configuration: KERNEL_BAN's conditions against the running daemon.
    func rule(_ config: Config, plan: SentryPlan, options: LaunchOptions, dryRun: Bool) -> KernelBanRule {
        var stealth = false
        if case .stealth = plan { stealth = true }
        return KernelBanRule(config: config, stealth: stealth, watched: options.protocols, nftables: nft != nil, dryRun: dryRun)
    }

    /// New inputs (start-up, SIGHUP); logs the rule's line when it changed, then refreshes.
    func configure(_ rule: KernelBanRule, plan: SentryPlan, config: Config, ignoreList: IgnoreList) async {
        var inputs = Inputs(rule: rule, watchedTCP: .empty, watchedUDP: .empty, ignoreList: ignoreList, ingress: .any,
                            banSeconds: config.banTime)
        if case .stealth(let s) = plan {
            if rule.protocols.contains(.tcp) { inputs.watchedTCP = s.tcpPorts }
            if rule.protocols.contains(.udp) { inputs.watchedUDP = s.udpPorts }
            switch s.interfaces {
            case .all, .any: inputs.ingress = .any
            case .allButLoopback: inputs.ingress = .notLoopback
            case .named(let names): inputs.ingress = .named(names)
            }
        }
        let before = state.withLock { s in
            defer { s.inputs = inputs }
            return s.inputs?.rule
        }
        if before != rule { logger.notice("\(rule.line)") }
        await refresh()
    }

    /// Computes the trap from the inputs and the host's state now, and installs it if it changed.
    /// `protected`: the protected addresses about to take effect (default: those in force).
    func refresh(protected: ProtectedAddresses? = nil) async {
        guard let nft else { return }
        do {
            // Computed on the backend's thread: concurrent refreshes install in order.
            let trap = try await nft.setKernelTrap { [self] in
                guard let inputs = state.withLock({ $0.inputs }), inputs.rule.isOn else { return nil }
                let served = ServedPorts.current()
                warnAboutServed(inputs, served)
                return KernelTrap(watchedTCP: inputs.watchedTCP, watchedUDP: inputs.watchedUDP,
                                  servedTCP: served.tcp, servedUDP: served.udp, ephemeral: Self.ephemeralRange(),
                                  exempt: exempt(inputs, protected: protected ?? protection.snapshot()),
                                  ingress: inputs.ingress, banSeconds: inputs.banSeconds)
            }
            record(trap, failure: nil)
        } catch {
            // The transaction failed as a whole: the rules in force are the previous ones.
            record(await nft.kernelTrap, failure: error)
        }
    }

    /// Tells the pipeline which trap is in force; logs the first failure of a spell and the recovery.
    private func record(_ trap: KernelTrap?, failure: NftError?) {
        pipeline.setKernelTrap(trap)
        let wasFailing = state.withLock { s in
            defer { s.trap = trap; s.failing = failure != nil }
            return s.failing
        }
        if let failure, !wasFailing {
            logger.error("Cannot install the kernel ban rules (retrying each second; the daemon still bans): \(failure)")
        } else if failure == nil, wasFailing {
            logger.notice("Kernel ban rules installed again")
        }
    }

    /// For `portsentry-ctl status`: what the kernel bans on now, or why it bans nothing.
    var summary: String {
        let (inputs, trap, failing) = state.withLock { ($0.inputs, $0.trap, $0.failing) }
        guard let inputs else { return "off" }
        guard inputs.rule.isOn else { return "off (\(inputs.rule.reason))" }
        guard let trap else { return failing ? "on, but its rules cannot be installed (see the log)" : "on, not installed yet" }
        let left = inputs.watchedTCP.subtracting(trap.tcpPorts).ports.count + inputs.watchedUDP.subtracting(trap.udpPorts).ports.count
        return "on: \(trap.tcpPorts.ports.count) TCP and \(trap.udpPorts.ports.count) UDP ports, \(trap.exempt.count) exempt networks"
            + (left > 0 ? "; \(left) watched ports (served or ephemeral) are left to the daemon" : "")
    }

    private func exempt(_ inputs: Inputs, protected addresses: ProtectedAddresses) -> [CIDR] {
        let protected = addresses.entries.values.flatMap { $0 }
        let hosts = protection.sshSessionPeers().union(LocalAddresses.current())
        return inputs.ignoreList.entries + protected + hosts.map { CIDR(host: $0.unmapped) }
    }

    /// A watched port that gets a listener leaves the trap (the next refresh); say so once.
    private func warnAboutServed(_ inputs: Inputs, _ served: ServedPorts) {
        let now = Set(inputs.watchedTCP.ports.filter(served.tcp.contains).map { "\($0)/TCP" }
            + inputs.watchedUDP.ports.filter(served.udp.contains).map { "\($0)/UDP" })
        let new = state.withLock { s in
            defer { s.served = now }
            return now.subtracting(s.served)
        }
        for port in new.sorted() {
            logger.warning("Watched port \(port) has a listener: it is left out of the kernel ban rule (probes to it are not banned in the kernel); take it out of the watched ports if the service is meant to be there")
        }
    }

    static func ephemeralRange() -> ClosedRange<UInt16> {
        guard case .text(let text) = TextFile.contents(of: "/proc/sys/net/ipv4/ip_local_port_range") else {
            return KernelTrap.defaultEphemeral
        }
        return KernelTrap.ephemeralRange(text) ?? KernelTrap.defaultEphemeral
    }
}
