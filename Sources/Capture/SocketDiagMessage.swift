import CLinux
import Glibc
import PortsentryCore

/// One socket from a sock_diag dump: what the service check needs of it.
struct DiagSocket: Equatable {
    var local: IPAddress
    var port: UInt16
    /// IPV6_V6ONLY; the kernel reports it for IPv6 sockets that are listening or unconnected
    /// (the only ones that can sit on the wildcard address), false otherwise.
    var v6only: Bool
    /// The peer of a connected socket; nil for listening and unconnected ones.
    var remote: IPAddress? = nil

    /// portsentry 2.0.4's rule: a socket serves `destination` when it is bound to that very
    /// address or to the wildcard address (`::` also serves IPv4 unless IPV6_V6ONLY is set; an
    /// IPv4-mapped address stands for its IPv4 address).
    func serves(_ destination: IPAddress) -> Bool {
        switch local.unmapped {
        case .v4(0): return destination.family == .inet
        case .v6(0, 0): return destination.family == .inet6 || !v6only
        case let bound: return bound == destination.unmapped
        }
    }
}

/// The NETLINK_SOCK_DIAG messages of the service check: a dump request for the sockets of one
/// protocol and family bound to one local port (the kernel filters on `idiag_sport`), and the
/// parsing of its replies (`inet_diag_msg` records, then NLMSG_DONE or NLMSG_ERROR).
enum SocketDiagMessage {
    /// What one reply buffer held.
    struct Reply: Equatable {
        var sockets: [DiagSocket] = []
        /// NLMSG_DONE was seen: the dump is complete.
        var done = false
        /// NLMSG_ERROR's errno (positive), if the kernel refused the request.
        var error: Int32?
    }

    /// A dump request for `proto` sockets of `family` (AF_INET or AF_INET6) on local `port`: for
    /// UDP every bound socket, connected or not; for TCP listeners only (docs/stealth.md, "The
    /// service check": a connection's own packets carry ACK and never reach the check, and a dump
    /// of every TCP state walks the kernel's whole established-connection table).
    /// `states` overrides the socket states asked for (a TCP_* bit mask), e.g. established
    /// connections for the SSH-session protection.
    static func request(_ proto: TransportProtocol, family: Int32, port: UInt16, sequence: UInt32,
                        states: UInt32? = nil) -> [UInt8] {
        struct Message {
            var header: nlmsghdr
            var request: inet_diag_req_v2
        }
        var message = Message(header: nlmsghdr(), request: inet_diag_req_v2())
        message.header.nlmsg_len = UInt32(MemoryLayout<Message>.size)
        message.header.nlmsg_type = UInt16(SOCK_DIAG_BY_FAMILY)
        message.header.nlmsg_flags = UInt16(NLM_F_REQUEST | NLM_F_DUMP)
        message.header.nlmsg_seq = sequence
        message.request.sdiag_family = UInt8(family)
        message.request.sdiag_protocol = UInt8(proto == .tcp ? IPPROTO_TCP : IPPROTO_UDP)
        message.request.idiag_states = states ?? (proto == .tcp ? 1 << 10 : UInt32.max)   // TCP_LISTEN = 10
        message.request.id.idiag_sport = port.bigEndian
        return withUnsafeBytes(of: &message) { Array($0) }
    }

    /// Parses the messages of `sequence` in one received buffer; messages of other sequence
    /// numbers (left over from an abandoned query) are skipped. Nil if the buffer is malformed.
    static func parse(_ buffer: UnsafeRawBufferPointer, sequence: UInt32) -> Reply? {
        let headerSize = MemoryLayout<nlmsghdr>.size
        let recordSize = MemoryLayout<inet_diag_msg>.size
        var reply = Reply()
        var offset = 0
        while offset + headerSize <= buffer.count {
            let header = buffer.loadUnaligned(fromByteOffset: offset, as: nlmsghdr.self)
            let length = Int(header.nlmsg_len)
            guard length >= headerSize, offset + length <= buffer.count else { return nil }
            defer { offset += (length + 3) & ~3 }
            guard header.nlmsg_seq == sequence else { continue }
            let body = offset + headerSize
            switch Int32(header.nlmsg_type) {
            case NLMSG_DONE:
                reply.done = true
            case NLMSG_ERROR:
                guard length >= headerSize + 4 else { return nil }
                reply.error = -buffer.loadUnaligned(fromByteOffset: body, as: Int32.self)
                reply.done = true
            case Int32(SOCK_DIAG_BY_FAMILY):
                guard length >= headerSize + recordSize else { return nil }
                let record = buffer.loadUnaligned(fromByteOffset: body, as: inet_diag_msg.self)
                let attributes = UnsafeRawBufferPointer(rebasing: buffer[(body + recordSize)..<(offset + length)])
                guard let socket = socket(record, attributes: attributes) else { return nil }
                reply.sockets.append(socket)
            default:
                continue
            }
        }
        return reply
    }

    private static func socket(_ record: inet_diag_msg, attributes: UnsafeRawBufferPointer) -> DiagSocket? {
        var source = record.id.idiag_src, destination = record.id.idiag_dst
        let width: Int
        switch Int32(record.idiag_family) {
        case AF_INET: width = 4
        case AF_INET6: width = 16
        default: return nil
        }
        guard let local = withUnsafeBytes(of: &source, { IPAddress(bytes: $0.prefix(width)) }),
              let remote = withUnsafeBytes(of: &destination, { IPAddress(bytes: $0.prefix(width)) }) else { return nil }
        let unspecified = remote == .v4(0) || remote == .v6(high: 0, low: 0)
        return DiagSocket(local: local, port: UInt16(bigEndian: record.id.idiag_sport),
                          v6only: flag(Int32(INET_DIAG_SKV6ONLY), in: attributes) ?? false,
                          remote: unspecified ? nil : remote)
    }

    /// The one-byte attribute `type` among the rtattr records, nil when absent.
    private static func flag(_ type: Int32, in attributes: UnsafeRawBufferPointer) -> Bool? {
        var offset = 0
        while offset + 4 <= attributes.count {
            let length = Int(attributes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            let kind = attributes.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self)
            guard length >= 4, offset + length <= attributes.count else { return nil }
            if Int32(kind) == type, length >= 5 { return attributes[offset + 4] != 0 }
            offset += (length + 3) & ~3
        }
        return nil
    }
}
