import Glibc

/// Whether nftables can work in this process and network namespace, checked without libnftables
/// (whose `nft_ctx_new` exit(3)s when netlink is unavailable, and which prints permission errors
/// straight to fd 2). The daemon uses it to choose between nftables and KILL_ROUTE (design.md
/// "Backend choice"). libnftables itself is a load-time dependency: a binary that starts has it.
public enum NftSupport {
    /// Opens a NETLINK_NETFILTER socket and asks nf_tables for its ruleset generation, which needs
    /// both CAP_NET_ADMIN and nf_tables in the kernel. Throws the reason when one is missing.
    public static func check() throws(NftError) {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), netlinkNetfilter)
        guard fd >= 0 else {
            let e = errno
            if e == EPROTONOSUPPORT || e == EAFNOSUPPORT { throw .nfTablesUnavailable("no nfnetlink in the kernel") }
            throw .netlinkUnavailable(e)
        }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        // nlmsghdr (16 bytes) + nfgenmsg (4 bytes): NFT_MSG_GETGEN, request + ack, AF_UNSPEC.
        var request = [UInt8](repeating: 0, count: 20)
        put32(&request, 0, 20)
        put16(&request, 4, UInt16(nfnlSubsysNftables << 8 | nftMsgGetGen))
        put16(&request, 6, nlmFRequest | nlmFAck)
        put32(&request, 8, 1)
        guard send(fd, request, request.count, 0) == request.count else { throw .netlinkUnavailable(errno) }

        var reply = [UInt8](repeating: 0, count: 8192)
        let n = recv(fd, &reply, reply.count, 0)
        guard n >= 16 else { throw .netlinkUnavailable(n < 0 ? errno : EPROTO) }
        let type = reply.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 4, as: UInt16.self) }
        guard type == nlmsgError, n >= 20 else { return }   // NFT_MSG_NEWGEN: all fine
        let code = reply.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 16, as: Int32.self) }
        switch -code {
        case 0: return
        case EPERM: throw .missingCapability
        case EOPNOTSUPP, EPROTONOSUPPORT, ENOENT, EINVAL:
            throw .nfTablesUnavailable(String(cString: strerror(-code)))
        default: throw .netlinkUnavailable(-code)
        }
    }

    /// The reason nftables cannot be used here, or nil when it can.
    public static func unavailabilityReason() -> NftError? {
        do { try check(); return nil } catch { return error }
    }

    private static let netlinkNetfilter: Int32 = 12     // NETLINK_NETFILTER
    private static let nfnlSubsysNftables = 10          // NFNL_SUBSYS_NFTABLES
    private static let nftMsgGetGen = 16                // NFT_MSG_GETGEN
    private static let nlmFRequest: UInt16 = 1          // NLM_F_REQUEST
    private static let nlmFAck: UInt16 = 4              // NLM_F_ACK
    private static let nlmsgError: UInt16 = 2           // NLMSG_ERROR

    /// Netlink headers are in host byte order.
    private static func put16(_ b: inout [UInt8], _ at: Int, _ v: UInt16) {
        withUnsafeBytes(of: v) { b.replaceSubrange(at..<at + 2, with: $0) }
    }
    private static func put32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) {
        withUnsafeBytes(of: v) { b.replaceSubrange(at..<at + 4, with: $0) }
    }
}
