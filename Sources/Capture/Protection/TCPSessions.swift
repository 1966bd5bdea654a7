import CLinux
import Glibc
import PortsentryCore

/// The remote addresses of established TCP connections to some local ports, asked of the kernel
/// over NETLINK_SOCK_DIAG (a dump of established sockets, filtered here by local port). Used on
/// one thread at a time (the ban service's).
final class TCPSessions {
    private var fd: Int32 = -1
    private var sequence: UInt32 = 0
    private var buffer = [UInt8](repeating: 0, count: 64 << 10)

    deinit { if fd >= 0 { close(fd) } }

    /// Remote addresses (IPv4-mapped ones as IPv4) connected to one of `ports`; nil when the
    /// kernel cannot be asked.
    func peers(onLocalPorts ports: PortSet) -> Set<IPAddress>? {
        if fd < 0 {
            fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_SOCK_DIAG)
            guard fd >= 0 else { return nil }
            var timeout = timeval(tv_sec: 1, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        var peers = Set<IPAddress>()
        for family in [AF_INET, AF_INET6] {
            guard dump(family: UInt8(family), into: &peers, ports: ports) else {
                close(fd); fd = -1
                return nil
            }
        }
        return peers
    }

    /// One dump: a SOCK_DIAG_BY_FAMILY request for TCP sockets in state ESTABLISHED.
    private func dump(family: UInt8, into peers: inout Set<IPAddress>, ports: PortSet) -> Bool {
        sequence &+= 1
        var request = [UInt8](repeating: 0, count: 16 + 56)
        func put32(_ v: UInt32, at i: Int) { withUnsafeBytes(of: v) { request.replaceSubrange(i..<i + 4, with: $0) } }
        func put16(_ v: UInt16, at i: Int) { withUnsafeBytes(of: v) { request.replaceSubrange(i..<i + 2, with: $0) } }
        put32(UInt32(request.count), at: 0)                                 // nlmsg_len
        put16(UInt16(SOCK_DIAG_BY_FAMILY), at: 4)                           // nlmsg_type
        put16(UInt16(NLM_F_REQUEST | NLM_F_DUMP), at: 6)                    // nlmsg_flags
        put32(sequence, at: 8)
        request[16] = family                                               // sdiag_family
        request[17] = UInt8(IPPROTO_TCP)                                   // sdiag_protocol
        put32(1 << 1, at: 20)                                              // idiag_states: TCP_ESTABLISHED
        guard send(fd, request, request.count, 0) == request.count else { return false }
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return false }
            var offset = 0
            while offset + 16 <= n {
                let length = Int(read32(offset)), type = read16(offset + 4)
                guard length >= 16, offset + length <= n else { return false }
                if type == UInt16(NLMSG_DONE) { return true }
                if type == UInt16(NLMSG_ERROR) { return false }
                if type == UInt16(SOCK_DIAG_BY_FAMILY), length >= 16 + 72 { take(offset + 16, ports: ports, into: &peers) }
                offset += (length + 3) & ~3
            }
        }
    }

    /// One inet_diag_msg: family, state, timer, retrans, then the socket id (ports big-endian).
    private func take(_ at: Int, ports: PortSet, into peers: inout Set<IPAddress>) {
        let localPort = UInt16(buffer[at + 4]) << 8 | UInt16(buffer[at + 5])
        guard ports.contains(localPort) else { return }
        let remote = at + 4 + 4 + 16   // after sport, dport and the source address
        let address = buffer[at] == UInt8(AF_INET) ? IPAddress(bytes: buffer[remote..<remote + 4])
                                                   : IPAddress(bytes: buffer[remote..<remote + 16])
        if let address { peers.insert(address.unmapped) }
    }

    private func read32(_ i: Int) -> UInt32 { buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i, as: UInt32.self) } }
    private func read16(_ i: Int) -> UInt16 { buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i, as: UInt16.self) } }
}
