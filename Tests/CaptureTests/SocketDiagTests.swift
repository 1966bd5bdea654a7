import CLinux
import Glibc
import PortsentryCore
import Testing
@testable import Capture

@Suite struct SocketDiagMessageTests {
    @Test func buildsADumpRequestForOnePort() {
        let bytes = SocketDiagMessage.request(.udp, family: AF_INET6, port: 32771, sequence: 7)
        func u16(_ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
        #expect(bytes.count == 16 + 56)
        #expect(u32(0) == 72 && u16(4) == 20 && u16(6) == 0x301 && u32(8) == 7)   // SOCK_DIAG_BY_FAMILY, REQUEST|DUMP
        #expect(bytes[16] == UInt8(AF_INET6) && bytes[17] == UInt8(IPPROTO_UDP))
        #expect(u32(20) == UInt32.max, "every state")
        #expect(bytes[24] == 0x80 && bytes[25] == 0x03, "local port 32771 in network order")
        #expect(bytes[26...].allSatisfy { $0 == 0 }, "any remote port, any address")
        let tcp = SocketDiagMessage.request(.tcp, family: AF_INET, port: 25, sequence: 1)
        #expect(tcp[16] == UInt8(AF_INET) && tcp[17] == UInt8(IPPROTO_TCP))
        #expect(Array(tcp[20..<24]) == [0, 4, 0, 0], "TCP: LISTEN (state 10) only")
    }

    /// One reply message: nlmsghdr, inet_diag_msg, then `attributes` (type, value byte) as rtattrs.
    static func record(family: Int32, local: IPAddress, port: UInt16, sequence: UInt32,
                       attributes: [(UInt16, UInt8)] = []) -> [UInt8] {
        var body = [UInt8](repeating: 0, count: 72)
        body[0] = UInt8(family)
        body[4] = UInt8(port >> 8); body[5] = UInt8(port & 0xff)
        body.replaceSubrange(8..<(8 + local.bytes.count), with: local.bytes)
        for (type, value) in attributes {
            body += [5, 0, UInt8(type & 0xff), UInt8(type >> 8), value, 0, 0, 0]
        }
        return header(length: 16 + body.count, type: 20, sequence: sequence) + body
    }

    static func header(length: Int, type: UInt16, sequence: UInt32) -> [UInt8] {
        withUnsafeBytes(of: UInt32(length).littleEndian) { Array($0) } + withUnsafeBytes(of: type.littleEndian) { Array($0) }
            + [2, 0] + withUnsafeBytes(of: sequence.littleEndian) { Array($0) } + [0, 0, 0, 0]
    }

    static func parse(_ bytes: [UInt8], sequence: UInt32) -> SocketDiagMessage.Reply? {
        bytes.withUnsafeBytes { SocketDiagMessage.parse($0, sequence: sequence) }
    }

    @Test func parsesSocketsTheV6OnlyFlagAndDone() {
        let any6 = IPAddress("::")!, a4 = IPAddress("10.0.0.1")!
        let buffer = Self.record(family: AF_INET6, local: any6, port: 53, sequence: 3, attributes: [(8, 0), (11, 1)])
            + Self.record(family: AF_INET, local: a4, port: 53, sequence: 3)
            + Self.record(family: AF_INET, local: a4, port: 99, sequence: 2)   // an abandoned query's
            + Self.header(length: 20, type: 3, sequence: 3) + [0, 0, 0, 0]
        let reply = Self.parse(buffer, sequence: 3)
        #expect(reply == SocketDiagMessage.Reply(sockets: [DiagSocket(local: any6, port: 53, v6only: true),
                                                           DiagSocket(local: a4, port: 53, v6only: false)], done: true))
    }

    @Test func reportsTheKernelsErrorAndRejectsTruncatedRecords() {
        let error = Self.header(length: 20, type: 2, sequence: 1) + withUnsafeBytes(of: Int32(-EINVAL).littleEndian) { Array($0) }
        #expect(Self.parse(error, sequence: 1)?.error == EINVAL)
        #expect(Self.parse(Array(Self.record(family: AF_INET, local: .v4(1), port: 1, sequence: 1).prefix(40)), sequence: 1) == nil)
        #expect(Self.parse(Self.header(length: 40, type: 20, sequence: 1) + [UInt8](repeating: 0, count: 24), sequence: 1) == nil)
    }

    @Test func servesItsOwnAddressAndTheWildcardsOnly() {
        let a4 = IPAddress("10.0.0.1")!, b4 = IPAddress("10.0.0.2")!, a6 = IPAddress("fd00::1")!
        func s(_ local: String, v6only: Bool = false) -> DiagSocket { DiagSocket(local: IPAddress(local)!, port: 25, v6only: v6only) }
        #expect(s("127.0.0.1").serves(.v4(0x7f00_0001)) && !s("127.0.0.1").serves(a4))
        #expect(s("0.0.0.0").serves(a4) && !s("0.0.0.0").serves(a6))
        #expect(s("::").serves(a4) && s("::").serves(a6))
        #expect(!s("::", v6only: true).serves(a4) && s("::", v6only: true).serves(a6))
        #expect(s("::ffff:10.0.0.1").serves(a4) && !s("::ffff:10.0.0.1").serves(b4))
        #expect(s("fd00::1").serves(a6) && !s("::1").serves(a6) && !s("fd00::1").serves(a4))
    }
}

/// The look-up against real sockets, in a fresh network namespace.
@Suite(.serialized) struct SocketDiagLiveTests {
    @Test func findsListenersAndBoundUDPSocketsOnTheirAddresses() throws {
        let net = try TestNetwork()
        defer { net.remove() }
        let (a, a6) = (net.ipA, net.ip6A)
        let answers = try Namespace.run(in: net.nsA) { () throws -> [Bool] in
            let fds = [try listener(.udp, address: a, port: 32771), try listener(.udp, address: nil, port: 32772),
                       try listener(.tcp, address: .v4(0x7f00_0001), port: 2525), try listener(.tcp, address: nil, port: 2526)]
            defer { fds.forEach { close($0) } }
            let diag = try SocketDiag()
            func served(_ p: TransportProtocol, _ d: IPAddress, _ port: UInt16) throws -> Bool {
                try diag.isServed(p, address: d, port: port).get()
            }
            return [try served(.udp, a, 32771), try served(.udp, a6, 32771), try served(.udp, a, 32772),
                    try served(.udp, a6, 32772), try served(.tcp, a, 2525), try served(.tcp, a, 2526),
                    try served(.tcp, a6, 2526), try served(.udp, a, 2526), try served(.tcp, a, 9)]
        }
        #expect(answers == [true, false, true, true, false, true, true, false, false])
    }
}
