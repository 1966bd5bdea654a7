import CLinux

/// The classic BPF program the raw method attaches to its AF_PACKET socket. Offsets count from
/// the IP header (`SOCK_DGRAM`). It passes IPv4 UDP, IPv4 TCP without ACK/RST, IPv6 TCP without
/// ACK/RST when no extension header precedes it, and every other IPv6 packet (extension headers
/// are walked in Swift); everything else is dropped. Accepted packets are cut to 256 bytes.
enum ProbeBPF {
    private static func op(_ code: Int32, _ k: UInt32, _ jt: UInt8 = 0, _ jf: UInt8 = 0) -> sock_filter {
        sock_filter(code: UInt16(code), jt: jt, jf: jf, k: k)
    }
    private static let loadByte = BPF_LD | BPF_B | BPF_ABS, loadByteAtX = BPF_LD | BPF_B | BPF_IND
    private static let loadHeaderLength = BPF_LDX | BPF_B | BPF_MSH, and = BPF_ALU | BPF_AND | BPF_K
    private static let jumpIfEqual = BPF_JMP | BPF_JEQ | BPF_K, jumpIfAnyBit = BPF_JMP | BPF_JSET | BPF_K
    private static let ret = BPF_RET | BPF_K

    /// Jumps are relative: the target is the next instruction plus the offset.
    static let program: [sock_filter] = [
        op(loadByte, 0),                //  0  A = version/IHL byte
        op(and, 0xf0),                  //  1
        op(jumpIfEqual, 0x40, 0, 6),    //  2  IPv4 -> 3, else -> 9
        op(loadByte, 9),                //  3  A = protocol
        op(jumpIfEqual, 17, 10, 0),     //  4  UDP -> accept
        op(jumpIfEqual, 6, 0, 8),       //  5  TCP -> 6, else -> reject
        op(loadHeaderLength, 0),        //  6  X = IPv4 header length
        op(loadByteAtX, 13),            //  7  A = TCP flags
        op(jumpIfAnyBit, 0x14, 5, 6),   //  8  ACK or RST -> reject, else accept
        op(jumpIfEqual, 0x60, 0, 4),    //  9  IPv6 -> 10, else -> reject
        op(loadByte, 6),                // 10  A = next header
        op(jumpIfEqual, 6, 0, 3),       // 11  TCP -> 12, else -> accept
        op(loadByte, 53),               // 12  A = TCP flags behind the fixed header
        op(jumpIfAnyBit, 0x14, 0, 1),   // 13  ACK or RST -> reject, else accept
        op(ret, 0),                     // 14  reject
        op(ret, 256),                   // 15  accept, cut to 256 bytes
    ]
}
