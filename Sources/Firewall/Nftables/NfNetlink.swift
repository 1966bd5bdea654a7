import Glibc

/// A NETLINK_NETFILTER socket for the few nf_tables questions asked without libnftables: whether
/// nf_tables answers at all (`NftSupport`) and whether our chain exists (the watchdog). A libnftables
/// command would first fill its cache with every set element: 13 ms at 500 bans, seconds at 100,000.
/// The socket belongs to the network namespace of the thread that opens it.
final class NfNetlink {
    /// What nf_tables answered.
    enum Reply: Equatable {
        /// The requested object (a NEW* message).
        case object
        /// An acknowledgement (code 0) or an error (a positive errno).
        case status(Int32)
    }

    private let fd: Int32
    private var sequence: UInt32 = 0

    init() throws(NftError) {
        fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NfNetlink.netlinkNetfilter)
        guard fd >= 0 else {
            let e = errno
            if e == EPROTONOSUPPORT || e == EAFNOSUPPORT { throw .nfTablesUnavailable("no nfnetlink in the kernel") }
            throw .netlinkUnavailable(e)
        }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    static let msgGetGen: UInt16 = 16       // NFT_MSG_GETGEN
    static let msgGetChain: UInt16 = 4      // NFT_MSG_GETCHAIN
    static let familyInet: UInt8 = 1        // NFPROTO_INET
    static let chainTable: UInt16 = 1       // NFTA_CHAIN_TABLE
    static let chainName: UInt16 = 3        // NFTA_CHAIN_NAME

    /// Sends one nf_tables request (with string attributes) and returns the first answer to it.
    func ask(_ message: UInt16, family: UInt8 = 0, strings: [(UInt16, String)] = []) throws(NftError) -> Reply {
        sequence &+= 1
        // nlmsghdr (16 bytes), nfgenmsg (family, version 0, resource id 0), then the attributes.
        var request = [UInt8](repeating: 0, count: 20)
        request[16] = family
        for (type, text) in strings {
            let value = Array(text.utf8) + [0]
            var attribute = [UInt8](repeating: 0, count: 4)
            put16(&attribute, 0, UInt16(4 + value.count))
            put16(&attribute, 2, type)
            request += attribute + value + [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
        }
        put32(&request, 0, UInt32(request.count))
        put16(&request, 4, UInt16(NfNetlink.subsysNftables << 8) | message)
        put16(&request, 6, NfNetlink.flagRequest | NfNetlink.flagAck)
        put32(&request, 8, sequence)
        guard send(fd, request, request.count, 0) == request.count else { throw .netlinkUnavailable(errno) }

        var reply = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = recv(fd, &reply, reply.count, 0)
            guard n >= 16 else { throw .netlinkUnavailable(n < 0 ? errno : EPROTO) }
            var offset = 0
            while offset + 16 <= n {
                let (length, type, seq) = reply.withUnsafeBytes {
                    ($0.loadUnaligned(fromByteOffset: offset, as: UInt32.self),
                     $0.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self),
                     $0.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self))
                }
                guard length >= 16 else { throw .netlinkUnavailable(EPROTO) }
                if seq == sequence {
                    guard type == NfNetlink.messageError else { return .object }
                    guard offset + 20 <= n else { throw .netlinkUnavailable(EPROTO) }
                    return .status(-reply.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + 16, as: Int32.self) })
                }
                offset += (Int(length) + 3) & ~3   // an answer to an earlier, timed-out request
            }
        }
    }

    private static let netlinkNetfilter: Int32 = 12     // NETLINK_NETFILTER
    private static let subsysNftables: UInt16 = 10      // NFNL_SUBSYS_NFTABLES
    private static let flagRequest: UInt16 = 1          // NLM_F_REQUEST
    private static let flagAck: UInt16 = 4              // NLM_F_ACK
    private static let messageError: UInt16 = 2         // NLMSG_ERROR

    /// Netlink headers are in host byte order.
    private func put16(_ b: inout [UInt8], _ at: Int, _ v: UInt16) {
        withUnsafeBytes(of: v) { b.replaceSubrange(at..<at + 2, with: $0) }
    }
    private func put32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) {
        withUnsafeBytes(of: v) { b.replaceSubrange(at..<at + 4, with: $0) }
    }
}
