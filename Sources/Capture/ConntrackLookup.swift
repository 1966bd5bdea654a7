import CLinux
import Glibc
import PortsentryCore

/// Asks the kernel's connection tracking (ctnetlink) whether a packet belongs to a flow this host
/// opened: a late DNS or NTP answer whose client socket is gone, a QUIC packet after the socket
/// closed. Works wherever connection tracking runs in the namespace (any stateful firewall);
/// where it does not, it knows nothing and the packet is judged as before. Used on the capture
/// thread only, for packets that would otherwise count as probes.
final class ConntrackLookup {
    private var fd: Int32 = -1
    private var sequence: UInt32 = 0
    private var buffer = [UInt8](repeating: 0, count: 8 << 10)

    // nfnetlink_conntrack.h: message and attribute numbers.
    private static let ctGet: UInt16 = 1 << 8 | 1        // NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET
    private static let tupleOrig: UInt16 = 1, tupleIP: UInt16 = 1, tupleProto: UInt16 = 2
    private static let protoNum: UInt16 = 1, protoSrcPort: UInt16 = 2, protoDstPort: UInt16 = 3
    private static let nested: UInt16 = 0x8000           // NLA_F_NESTED

    deinit { if fd >= 0 { close(fd) } }

    /// Whether the packet `source:sourcePort → destination:destinationPort` answers a flow that
    /// `destination` (this host) opened; false when no such flow is tracked or the kernel cannot say.
    func isReply(_ proto: TransportProtocol, source: IPAddress, sourcePort: UInt16,
                 destination: IPAddress, destinationPort: UInt16) -> Bool {
        let source = source.unmapped, destination = destination.unmapped
        guard source.family == destination.family, open() else { return false }
        // Look the flow up by the packet's own tuple; the entry found says who opened it.
        guard let originalSource = query(proto, source, sourcePort, destination, destinationPort) else { return false }
        return originalSource == destination
    }

    private func open() -> Bool {
        if fd >= 0 { return true }
        fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_NETFILTER)
        guard fd >= 0 else { return false }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return true
    }

    /// The original source address of the tracked flow with this tuple, or nil.
    private func query(_ proto: TransportProtocol, _ src: IPAddress, _ sport: UInt16,
                       _ dst: IPAddress, _ dport: UInt16) -> IPAddress? {
        let v4 = src.family == .inet
        var ip: [UInt8] = []
        Self.attribute(&ip, v4 ? 1 : 3, src.bytes)      // CTA_IP_V4_SRC / CTA_IP_V6_SRC
        Self.attribute(&ip, v4 ? 2 : 4, dst.bytes)      // CTA_IP_V4_DST / CTA_IP_V6_DST
        var ports: [UInt8] = []
        Self.attribute(&ports, Self.protoNum, [proto == .tcp ? UInt8(IPPROTO_TCP) : UInt8(IPPROTO_UDP)])
        Self.attribute(&ports, Self.protoSrcPort, [UInt8(sport >> 8), UInt8(sport & 0xff)])
        Self.attribute(&ports, Self.protoDstPort, [UInt8(dport >> 8), UInt8(dport & 0xff)])
        var tuple: [UInt8] = []
        Self.attribute(&tuple, Self.tupleIP | Self.nested, ip)
        Self.attribute(&tuple, Self.tupleProto | Self.nested, ports)
        var body: [UInt8] = [UInt8(v4 ? AF_INET : AF_INET6), 0, 0, 0]   // nfgenmsg
        Self.attribute(&body, Self.tupleOrig | Self.nested, tuple)
        sequence &+= 1
        var message = [UInt8](repeating: 0, count: 16)
        Self.put32(&message, 0, UInt32(16 + body.count))
        Self.put16(&message, 4, Self.ctGet)
        Self.put16(&message, 6, UInt16(NLM_F_REQUEST))
        Self.put32(&message, 8, sequence)
        message += body
        guard send(fd, message, message.count, 0) == message.count else { close(fd); fd = -1; return nil }
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            guard n >= 16 else { return nil }       // nothing, or a timeout: the kernel cannot say
            guard read32(8) == sequence else { continue }   // an answer to an earlier, timed-out query
            // An error (ENOENT: no such flow) or the flow: its original tuple's source address.
            guard read16(4) != UInt16(NLMSG_ERROR) else { return nil }
            return originalSource(in: 20, end: min(n, Int(read32(0))), v4: v4)
        }
    }

    /// Walks the attributes for CTA_TUPLE_ORIG → CTA_TUPLE_IP → the source address.
    private func originalSource(in start: Int, end: Int, v4: Bool) -> IPAddress? {
        guard let orig = find(Self.tupleOrig, from: start, to: end),
              let ip = find(Self.tupleIP, from: orig.start, to: orig.end),
              let source = find(v4 ? 1 : 3, from: ip.start, to: ip.end) else { return nil }
        return IPAddress(bytes: buffer[source.start..<source.end])
    }

    private func find(_ type: UInt16, from start: Int, to end: Int) -> (start: Int, end: Int)? {
        var at = start
        while at + 4 <= end {
            let length = Int(read16(at)), kind = read16(at + 2) & 0x3fff
            guard length >= 4, at + length <= end else { return nil }
            if kind == type { return (at + 4, at + length) }
            at += (length + 3) & ~3
        }
        return nil
    }

    private static func attribute(_ out: inout [UInt8], _ type: UInt16, _ payload: [UInt8]) {
        let length = 4 + payload.count
        out += [UInt8(length & 0xff), UInt8(length >> 8), UInt8(type & 0xff), UInt8(type >> 8)] + payload
        while out.count % 4 != 0 { out.append(0) }
    }

    private static func put16(_ b: inout [UInt8], _ i: Int, _ v: UInt16) { withUnsafeBytes(of: v) { b.replaceSubrange(i..<i + 2, with: $0) } }
    private static func put32(_ b: inout [UInt8], _ i: Int, _ v: UInt32) { withUnsafeBytes(of: v) { b.replaceSubrange(i..<i + 4, with: $0) } }
    private func read32(_ i: Int) -> UInt32 { buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i, as: UInt32.self) } }
    private func read16(_ i: Int) -> UInt16 { buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i, as: UInt16.self) } }
}
