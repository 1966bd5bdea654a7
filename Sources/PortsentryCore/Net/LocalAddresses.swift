#if canImport(Glibc)
import Glibc
#endif

/// The addresses of this host's interfaces, from `getifaddrs`.
public enum LocalAddresses {
    /// Every IPv4 and IPv6 address on an interface now (loopback included).
    public static func current() -> Set<IPAddress> {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [] }
        defer { freeifaddrs(list) }
        var addresses: Set<IPAddress> = []
        var entry = list
        while let item = entry?.pointee {
            if let address = item.ifa_addr.flatMap(ipAddress(of:)) { addresses.insert(address) }
            entry = item.ifa_next
        }
        return addresses
    }

    /// The IPv4/IPv6 address in a socket address, nil for other families.
    public static func ipAddress(of socketAddress: UnsafeMutablePointer<sockaddr>) -> IPAddress? {
        switch Int32(socketAddress.pointee.sa_family) {
        case AF_INET:
            return socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                withUnsafeBytes(of: $0.pointee.sin_addr) { IPAddress(bytes: $0) }
            }
        case AF_INET6:
            return socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                withUnsafeBytes(of: $0.pointee.sin6_addr) { IPAddress(bytes: $0) }
            }
        default:
            return nil
        }
    }
}
