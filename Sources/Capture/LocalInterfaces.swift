import Glibc
import PortsentryCore

/// One network interface of this host (in the calling thread's network namespace).
struct LocalInterface: Sendable, Hashable {
    var name: String
    var isUp: Bool
    var isLoopback: Bool
    var addresses: [IPAddress]
}

/// The host's interfaces and their addresses, read with `getifaddrs`.
enum LocalInterfaces {
    static func snapshot() throws(CaptureError) -> [LocalInterface] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { throw .system("getifaddrs", errno: errno) }
        defer { freeifaddrs(list) }
        var byName: [String: LocalInterface] = [:]
        var order: [String] = []
        var node = list
        while let entry = node?.pointee {
            node = entry.ifa_next
            let name = String(cString: entry.ifa_name)
            if byName[name] == nil {
                order.append(name)
                byName[name] = LocalInterface(name: name, isUp: entry.ifa_flags & UInt32(IFF_UP) != 0,
                                              isLoopback: entry.ifa_flags & UInt32(IFF_LOOPBACK) != 0,
                                              addresses: [])
            }
            if let address = entry.ifa_addr.flatMap(ipAddress) { byName[name]!.addresses.append(address) }
        }
        return order.map { byName[$0]! }
    }

    /// The IPv4/IPv6 address in a socket address, nil for other families.
    static func ipAddress(_ sa: UnsafeMutablePointer<sockaddr>) -> IPAddress? {
        switch Int32(sa.pointee.sa_family) {
        case AF_INET:
            return sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                .v4(UInt32(bigEndian: $0.pointee.sin_addr.s_addr))
            }
        case AF_INET6:
            return sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                withUnsafeBytes(of: $0.pointee.sin6_addr) { IPAddress(bytes: $0) }
            }
        default:
            return nil
        }
    }
}
