import PortsentryCore

/// The ports with a listening (TCP) or bound (UDP) socket on any address of this network
/// namespace, read from procfs now: what the kernel trap must leave alone.
public struct ServedPorts: Sendable, Hashable {
    public var tcp: PortSet
    public var udp: PortSet

    public static func current() -> ServedPorts {
        let cache = ListenerCache(refreshInterval: 0)
        cache.refreshIfDue(now: 0)
        return ServedPorts(tcp: cache.table.servedPorts(.tcp), udp: cache.table.servedPorts(.udp))
    }
}
