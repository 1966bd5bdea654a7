import CLinux
import Glibc
import PortsentryCore

/// One UDP datagram read with `recvmsg`: the sender, and the local address it was sent to
/// (from IP_PKTINFO / IPV6_PKTINFO), which the self-traffic rule needs. The payload is discarded.
struct Datagram {
    var peer: sockaddr_storage
    var destination: IPAddress?

    /// Reads one pending datagram without blocking; nil when none is left.
    static func receive(_ fd: Int32) -> Datagram? {
        var peer = sockaddr_storage()
        var payload = (UInt64(0), UInt64(0))
        var control = [UInt64](repeating: 0, count: 32)   // 8-byte aligned cmsg space
        while true {
            let result: (Int, Int) = withUnsafeMutableBytes(of: &payload) { payloadBytes in
                control.withUnsafeMutableBytes { controlBytes in
                    withUnsafeMutablePointer(to: &peer) { peerPointer in
                        var iov = iovec(iov_base: payloadBytes.baseAddress, iov_len: payloadBytes.count)
                        var message = msghdr()
                        message.msg_name = UnsafeMutableRawPointer(peerPointer)
                        message.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
                        message.msg_control = controlBytes.baseAddress
                        message.msg_controllen = controlBytes.count
                        let n = withUnsafeMutablePointer(to: &iov) { iovPointer in
                            message.msg_iov = iovPointer
                            message.msg_iovlen = 1
                            return recvmsg(fd, &message, Int32(MSG_DONTWAIT | MSG_TRUNC))
                        }
                        return (n, Int(message.msg_controllen))
                    }
                }
            }
            if result.0 < 0 {
                if errno == EINTR { continue }
                return nil
            }
            let destination = control.withUnsafeBytes { packetInfoDestination(UnsafeRawBufferPointer(rebasing: $0[0..<result.1])) }
            return Datagram(peer: peer, destination: destination)
        }
    }

    /// Sends `bytes` back to the peer.
    func reply(_ bytes: [UInt8], on fd: Int32) {
        var peer = self.peer
        let length = socklen_t(peer.ss_family == sa_family_t(AF_INET6) ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        _ = bytes.withUnsafeBytes { data in
            withUnsafePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, data.baseAddress, data.count, Int32(MSG_NOSIGNAL), $0, length)
                }
            }
        }
    }

    /// Walks the control messages (cmsghdr: 8-byte length, level, type, data aligned to 8).
    private static func packetInfoDestination(_ control: UnsafeRawBufferPointer) -> IPAddress? {
        var offset = 0
        while offset + 16 <= control.count {
            let length = Int(control.loadUnaligned(fromByteOffset: offset, as: UInt.self))
            let level = control.loadUnaligned(fromByteOffset: offset + 8, as: Int32.self)
            let type = control.loadUnaligned(fromByteOffset: offset + 12, as: Int32.self)
            guard length >= 16, offset + length <= control.count else { return nil }
            let data = offset + 16
            if level == Int32(IPPROTO_IPV6), type == IPV6_PKTINFO, length >= 16 + 16 {
                return IPAddress(bytes: UnsafeRawBufferPointer(rebasing: control[data..<(data + 16)]))?.unmapped
            }
            // struct in_pktinfo { int ipi_ifindex; in_addr ipi_spec_dst; in_addr ipi_addr; }
            if level == Int32(IPPROTO_IP), type == IP_PKTINFO, length >= 16 + 12 {
                return IPAddress(bytes: UnsafeRawBufferPointer(rebasing: control[(data + 8)..<(data + 12)]))
            }
            offset += (length + 7) & ~7
        }
        return nil
    }
}
