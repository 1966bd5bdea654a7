import Glibc
import PortsentryCore
import Synchronization

/// Reverse lookups for RESOLVE_HOST=1, off the capture path, with a small bounded cache.
/// The resolver's own timeout is shortened at start-up (`shortenResolverTimeout`).
final class HostNameResolver: Sendable {
    private let cache = Mutex<[IPAddress: (name: String, at: Int)]>([:])
    private let capacity = 4096
    private let ttl = 600

    /// The host name of `address`, or its text when it has none.
    func name(of address: IPAddress) -> String {
        let now = MonotonicClock.seconds()
        if let hit = cache.withLock({ $0[address] }), now - hit.at < ttl { return hit.name }
        let name = Self.lookup(address) ?? address.description
        cache.withLock { c in
            if c.count >= capacity { c.removeAll(keepingCapacity: true) }
            c[address] = (name, now)
        }
        return name
    }

    /// Makes glibc give up on an unanswered DNS query after one second, one attempt.
    static func shortenResolverTimeout() {
        if getenv("RES_OPTIONS") == nil { setenv("RES_OPTIONS", "timeout:1 attempts:1", 1) }
    }

    private static func lookup(_ address: IPAddress) -> String? {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let rc = address.withSocketAddress { getnameinfo($0, $1, &host, socklen_t(host.count), nil, 0, NI_NAMEREQD) }
        return rc == 0 ? String(nulTerminated: host) : nil
    }
}

extension IPAddress {
    /// Calls `body` with this address as a `sockaddr_in` / `sockaddr_in6` (port 0) and its length.
    func withSocketAddress<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        func call<S>(_ storage: inout S) -> T {
            withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<S>.size)) }
            }
        }
        switch self {
        case .v4:
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            withUnsafeMutableBytes(of: &sa.sin_addr) { $0.copyBytes(from: bytes) }
            return call(&sa)
        case .v6:
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            withUnsafeMutableBytes(of: &sa.sin6_addr) { $0.copyBytes(from: bytes) }
            return call(&sa)
        }
    }
}
