import CLinux
import Glibc

/// An rtnetlink socket subscribed to link and IPv4/IPv6 address changes (and, with `routes`, to
/// route changes). Its owner polls it and re-reads what it needs when it becomes readable; the
/// messages themselves are not parsed.
final class AddressWatcher {
    let fd: Int32
    private var scratch = [UInt8](repeating: 0, count: 16 << 10)

    init(routes: Bool = false) throws(CaptureError) {
        fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                    NETLINK_ROUTE)
        guard fd >= 0 else { throw .system("rtnetlink socket", errno: errno) }
        var address = sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        address.nl_groups = UInt32(RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR)
            | (routes ? UInt32(RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE) : 0)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
            }
        }
        guard rc == 0 else {
            let code = errno
            close(fd)
            throw .system("rtnetlink bind", errno: code)
        }
    }

    /// Reads every pending notification; true if there was any (or the socket overflowed).
    func drain() -> Bool {
        var changed = false
        while true {
            let n = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 { changed = true; continue }
            if n < 0, errno == ENOBUFS { changed = true; continue }
            return changed
        }
    }

    deinit { close(fd) }
}
