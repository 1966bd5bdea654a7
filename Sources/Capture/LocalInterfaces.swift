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
            if let address = entry.ifa_addr.flatMap(LocalAddresses.ipAddress(of:)) { byName[name]!.addresses.append(address) }
        }
        return order.map { byName[$0]! }
    }
}
