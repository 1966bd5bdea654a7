import PortsentryCore

/// A backend with a portsentry 2.x config's KILL_HOSTS_DENY in front of it
/// (BLOCK_BACKEND="nftables" on a legacy config): each decision's hosts.deny line first, as 2.x
/// orders them, then the backend's own step. Everything else is the backend's.
public final class HostsDenyLayer: BanBackend {
    public let wrappers: CommandBackend
    public let base: any BanBackend

    public init(hostsDeny template: String, over base: any BanBackend) {
        wrappers = CommandBackend(hostsDeny: template, route: nil)
        self.base = base
    }

    public var kind: BackendKind { base.kind }
    public var keepsBans: Bool { base.keepsBans }
    public func schedule(_ work: @escaping @Sendable () -> Void) { base.schedule(work) }

    public func apply(_ decisions: [BanDecision]) -> [BanResult] {
        zip(wrappers.apply(decisions), base.apply(decisions)).map { front, back in
            var merged = back
            merged.steps = front.steps + back.steps
            return merged
        }
    }

    public func lift(_ targets: [CIDR]) throws(BanBackendError) -> [CIDR] { try base.lift(targets) }
    public func flush() throws(BanBackendError) -> [CIDR] { try base.flush() }
    public func absorbKernelBans(_ hosts: [IPAddress]) { base.absorbKernelBans(hosts) }
    public func kernelTrapFullSince(_ family: AddressFamily) -> UInt64? { base.kernelTrapFullSince(family) }
    public func confirmBans() { base.confirmBans() }
    public func isBanned(_ address: IPAddress) -> Bool { base.isBanned(address) }
    public func liveBan(covering address: IPAddress) -> Ban? { base.liveBan(covering: address) }
    public func bans() -> [Ban] { base.bans() }
    public func banCounts() -> [AddressFamily: Int] { base.banCounts() }
    public func dropCounters() -> [AddressFamily: DropCount]? { base.dropCounters() }
    public func recordHit(_ address: IPAddress) { base.recordHit(address) }
    public var expiries: AsyncStream<BanRelease> { base.expiries }
    public func maintain() async { await base.maintain() }
    public func shutdown() async { await base.shutdown() }
}
