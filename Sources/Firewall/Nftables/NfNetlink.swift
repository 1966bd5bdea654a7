import Glibc

/// A NETLINK_NETFILTER socket for what is asked of nf_tables without libnftables: whether it
/// answers at all (`NftSupport`), the ruleset generation, our table's shape and elements (the
/// watchdog, the start-up: `NfNetlink+Table`), and bulk element adds (`NfNetlink+Elements`). A
/// libnftables command would first fill its cache with every set element: seconds at 100,000.
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
    /// Receives answers; dumps come in messages of up to 32 KiB.
    private var buffer = [UInt8](repeating: 0, count: 1 << 17)

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
    static let genID: UInt16 = 1            // NFTA_GEN_ID

    /// Sends one nf_tables request (with string attributes) and returns the first answer to it.
    func ask(_ message: UInt16, family: UInt8 = 0, strings: [(UInt16, String)] = []) throws(NftError) -> Reply {
        var reply: Reply?
        try exchange(message, family: family, strings: strings, dump: false) { _, _ in
            reply = .object
            return false
        } status: { code in
            reply = .status(code)
        }
        return reply ?? .status(0)
    }

    /// nf_tables' ruleset generation: it grows by one with every transaction that changes
    /// something (one that changes nothing, or fails, leaves it).
    func generation() throws(NftError) -> UInt32 {
        var generation: UInt32?
        var failure: Int32 = 0
        try exchange(NfNetlink.msgGetGen, family: 0, strings: [], dump: false) { _, attributes in
            generation = attributes.first(NfNetlink.genID)?.u32
            return false
        } status: { failure = $0 }
        guard let generation else { throw .netlinkUnavailable(failure != 0 ? failure : EPROTO) }
        return generation
    }

    /// Sends a dump request; `each` gets the attributes of every object in the answer as it
    /// arrives. A dump that the kernel flags as interrupted (the objects changed meanwhile) calls
    /// `restart` and is asked again, up to three times. Returns 0, or the errno nf_tables
    /// answered with (ENOENT: no such table or set; EINTR: interrupted every time).
    func dump(_ message: UInt16, family: UInt8, strings: [(UInt16, String)], restart: () -> Void = {},
              _ each: (NfAttributes) -> Void) throws(NftError) -> Int32 {
        for attempt in 0..<3 {
            if attempt > 0 { restart() }
            var interrupted = false, failure: Int32 = 0
            try exchange(message, family: family, strings: strings, dump: true) { flags, attributes in
                if flags & NfNetlink.flagDumpInterrupted != 0 { interrupted = true }
                if !interrupted { each(attributes) }
                return true
            } status: { failure = $0 }
            if failure != 0 { return failure }
            if !interrupted { return 0 }
        }
        return EINTR
    }

    /// One request and its answers: `object` gets each object message (its flags and the
    /// attributes after the nfgenmsg header) and says whether more are expected; `status` gets
    /// an error code (a positive errno, 0 for an acknowledgement).
    private func exchange(_ message: UInt16, family: UInt8, strings: [(UInt16, String)], dump: Bool,
                          object: (UInt16, NfAttributes) -> Bool, status: (Int32) -> Void) throws(NftError) {
        sequence &+= 1
        let body = strings.flatMap { NfNetlink.attribute($0.0, Array($0.1.utf8) + [0]) }
        let request = NfNetlink.header(type: UInt16(NfNetlink.subsysNftables << 8) | message,
                                       flags: NfNetlink.flagRequest | (dump ? NfNetlink.flagDump : NfNetlink.flagAck),
                                       sequence: sequence, family: family, resource: 0, body: body)
        guard send(fd, request, request.count, 0) == request.count else { throw .netlinkUnavailable(errno) }

        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n >= 16 else { throw .netlinkUnavailable(n < 0 ? errno : EPROTO) }
            var more = true, malformed = false
            buffer.withUnsafeBytes { raw in
                var offset = 0
                while more, offset + 16 <= n {
                    let length = Int(raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                    let type = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self)
                    let flags = raw.loadUnaligned(fromByteOffset: offset + 6, as: UInt16.self)
                    let seq = raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
                    guard length >= 16, offset + length <= n else { malformed = true; return }
                    defer { offset += (length + 3) & ~3 }
                    guard seq == sequence else { continue }   // an answer to an earlier, timed-out request
                    switch type {
                    case NfNetlink.messageDone:
                        more = false
                    case NfNetlink.messageError:
                        guard length >= 20 else { malformed = true; return }
                        status(-raw.loadUnaligned(fromByteOffset: offset + 16, as: Int32.self))
                        more = false
                    default:
                        let body = UnsafeRawBufferPointer(rebasing: raw[min(offset + 20, offset + length)..<offset + length])
                        more = object(flags, NfAttributes(bytes: body))
                    }
                }
            }
            if malformed { throw .netlinkUnavailable(EPROTO) }
            if !more { return }
        }
    }

    private static let netlinkNetfilter: Int32 = 12     // NETLINK_NETFILTER
    static let subsysNftables: UInt16 = 10      // NFNL_SUBSYS_NFTABLES
    static let flagRequest: UInt16 = 1          // NLM_F_REQUEST
    static let flagAck: UInt16 = 4              // NLM_F_ACK
    private static let flagDump: UInt16 = 0x300         // NLM_F_DUMP
    private static let flagDumpInterrupted: UInt16 = 0x10   // NLM_F_DUMP_INTR
    private static let messageDone: UInt16 = 3          // NLMSG_DONE
    static let messageError: UInt16 = 2         // NLMSG_ERROR

    /// Reserves `count` sequence numbers for a batch; returns the first.
    func nextSequence(count: Int) -> UInt32 {
        defer { sequence &+= UInt32(count) }
        return sequence &+ 1
    }

    /// Sends a batch of messages in one datagram (the kernel wants a batch whole), growing the
    /// send buffer for it (SO_SNDBUFFORCE: CAP_NET_ADMIN, which nftables needs anyway).
    func sendBatch(_ batch: [UInt8]) throws(NftError) {
        var size = Int32(batch.count + 4096)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size))
        guard send(fd, batch, batch.count, 0) == batch.count else { throw .netlinkUnavailable(errno) }
    }

    /// Receives one datagram and calls `body` with the sequence number and code (0 or a positive
    /// errno) of each acknowledgement or error in it.
    func receiveStatuses(_ body: (UInt32, Int32) -> Void) throws(NftError) {
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n >= 16 else { throw .netlinkUnavailable(n < 0 ? errno : EPROTO) }
        buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset + 20 <= n {
                let length = Int(raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                guard length >= 16, offset + length <= n else { return }
                if raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self) == NfNetlink.messageError {
                    body(raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self),
                         -raw.loadUnaligned(fromByteOffset: offset + 16, as: Int32.self))
                }
                offset += (length + 3) & ~3
            }
        }
    }
}
