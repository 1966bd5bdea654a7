/// The classic BPF program the raw method attaches to its AF_PACKET socket. Offsets count from
/// the IP header (`SOCK_DGRAM`). It passes IPv4 UDP, IPv4 TCP without ACK/RST, IPv6 TCP without
/// ACK/RST when no extension header precedes it, and every other IPv6 packet (extension headers
/// are walked in Swift); everything else is dropped. Accepted packets are cut to 256 bytes.
enum ProbeBPF {
    /// `struct sock_filter`.
    struct Instruction {
        var code: UInt16
        var jumpIfTrue: UInt8
        var jumpIfFalse: UInt8
        var k: UInt32
    }

    /// `struct sock_fprog`.
    struct Program {
        var length: UInt16
        var instructions: UnsafeMutablePointer<Instruction>?
    }

    private static func op(_ code: UInt16, _ k: UInt32, _ jt: UInt8 = 0, _ jf: UInt8 = 0) -> Instruction {
        Instruction(code: code, jumpIfTrue: jt, jumpIfFalse: jf, k: k)
    }
    private static let ldAbsByte: UInt16 = 0x30, ldIndByte: UInt16 = 0x50, ldxMsh: UInt16 = 0xb1
    private static let andK: UInt16 = 0x54, jeqK: UInt16 = 0x15, jsetK: UInt16 = 0x45, retK: UInt16 = 0x06

    /// Jumps are relative: the target is the next instruction plus the offset.
    static let program: [Instruction] = [
        op(ldAbsByte, 0),               //  0  A = version/IHL byte
        op(andK, 0xf0),                 //  1
        op(jeqK, 0x40, 0, 6),           //  2  IPv4 -> 3, else -> 9
        op(ldAbsByte, 9),               //  3  A = protocol
        op(jeqK, 17, 10, 0),            //  4  UDP -> accept
        op(jeqK, 6, 0, 8),              //  5  TCP -> 6, else -> reject
        op(ldxMsh, 0),                  //  6  X = IPv4 header length
        op(ldIndByte, 13),              //  7  A = TCP flags
        op(jsetK, 0x14, 5, 6),          //  8  ACK or RST -> reject, else accept
        op(jeqK, 0x60, 0, 4),           //  9  IPv6 -> 10, else -> reject
        op(ldAbsByte, 6),               // 10  A = next header
        op(jeqK, 6, 0, 3),              // 11  TCP -> 12, else -> accept
        op(ldAbsByte, 53),              // 12  A = TCP flags behind the fixed header
        op(jsetK, 0x14, 0, 1),          // 13  ACK or RST -> reject, else accept
        op(retK, 0),                    // 14  reject
        op(retK, 256),                  // 15  accept, cut to 256 bytes
    ]
}
