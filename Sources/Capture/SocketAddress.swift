import CLinux
import Glibc
import PortsentryCore

/// Conversions between socket addresses and `IPAddress`.
enum SocketAddress {
    /// The address in a `sockaddr_storage` (IPv4 or IPv6), nil for other families.
    static func ip(_ storage: sockaddr_storage) -> IPAddress? {
        var copy = storage
        return withUnsafeMutablePointer(to: &copy) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { LocalAddresses.ipAddress(of: $0) }
        }
    }
}

/// RLIMIT_NOFILE handling for connect mode, which may hold up to 131,070 sockets.
enum FileLimit {
    /// Raises the soft limit to the hard limit (never lowers the hard limit); returns the
    /// soft limit now in force.
    @discardableResult
    static func raiseToHard() -> UInt {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            let raised = rlimit(rlim_cur: limit.rlim_max, rlim_max: limit.rlim_max)
            var copy = raised
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &copy) == 0 { limit = raised }
        }
        return UInt(limit.rlim_cur)
    }
}
