import TestSupport
import Testing
@testable import PortsentryCore

private let a4 = IPAddress("192.0.2.1")!, b4 = IPAddress("198.51.100.7")!
private let a6 = IPAddress("2001:db8::1")!, b6 = IPAddress("fd00:1:2::9")!

private func decode(_ bytes: [UInt8], _ link: LinkType) -> DecodedPacket? {
    bytes.withUnsafeBytes { PacketDecoder.decode($0, link: link) }
}

private func syn(_ src: IPAddress, _ dst: IPAddress, port: UInt16 = 31337) -> ProbeFrame {
    ProbeFrame(source: src, destination: dst, transport: .tcp(port: port, flags: .syn))
}

@Suite struct DecodeLinkTypeTests {
    @Test(arguments: [LinkType.ethernet, .rawIP, .linuxSLL, .linuxSLL2, .null])
    func decodesEveryLinkType(link: LinkType) throws {
        for (src, dst, opts) in [(a4, b4, IPOptionsState.notSet), (a6, b6, .unknown)] {
            let p = try #require(decode(syn(src, dst).bytes(link: link), link))
            #expect(p == DecodedPacket(source: src, destination: dst, proto: .tcp, sourcePort: 40_000, destinationPort: 31337,
                                       flags: .syn, ipOptions: opts))
        }
    }

    @Test func mapsDataLinkNumbers() {
        #expect(LinkType(dlt: 1) == .ethernet)
        #expect(LinkType(dlt: 12) == .rawIP && LinkType(dlt: 101) == .rawIP)
        #expect(LinkType(dlt: 113) == .linuxSLL && LinkType(dlt: 276) == .linuxSLL2)
        #expect(LinkType(dlt: 0) == .null)
        #expect(LinkType(dlt: 127) == nil)
    }

    @Test func skipsVLANTags() throws {
        let plain = syn(a4, b4).bytes(link: .ethernet)
        // One 802.1Q tag then one 802.1ad tag, then the IPv4 EtherType.
        let twoTags = Array(plain[0..<12]) + [0x81, 0x00, 0, 5, 0x88, 0xa8, 0, 7] + Array(plain[12...])
        #expect(decode(twoTags, .ethernet)?.destinationPort == 31337)
        // A tag followed by a type that is not IP.
        let bogusInner = Array(plain[0..<12]) + [0x81, 0x00, 0, 5, 0x88, 0x47] + Array(plain[14...])
        #expect(decode(bogusInner, .ethernet) == nil)
        let threeTags = Array(plain[0..<12]) + [0x81, 0, 0, 1, 0x81, 0, 0, 2, 0x81, 0, 0, 3] + Array(plain[12...])
        #expect(decode(threeTags, .ethernet) == nil)
    }

    @Test func rejectsNonIPEtherTypes() {
        var arp = syn(a4, b4).bytes(link: .ethernet)
        arp[12] = 0x08; arp[13] = 0x06
        #expect(decode(arp, .ethernet) == nil)
        var sll = syn(a4, b4).bytes(link: .linuxSLL)
        sll[14] = 0x08; sll[15] = 0x06
        #expect(decode(sll, .linuxSLL) == nil)
    }

    @Test func dropsOutgoingCookedPackets() {
        var sll = syn(a4, b4).bytes(link: .linuxSLL)
        sll[1] = 4
        #expect(decode(sll, .linuxSLL) == nil)
        var sll2 = syn(a4, b4).bytes(link: .linuxSLL2)
        sll2[10] = 4
        #expect(decode(sll2, .linuxSLL2) == nil)
    }

    @Test func readsNullFamilyInEitherByteOrder() {
        var frame = syn(a6, b6).bytes(link: .null)
        #expect(decode(frame, .null) != nil)
        frame[0] = 0; frame[3] = 30            // big-endian AF_INET6 of macOS
        #expect(decode(frame, .null) != nil)
        frame[3] = 7
        #expect(decode(frame, .null) == nil)
    }
}

@Suite struct DecodeIPv4Tests {
    /// A SYN to port 80 from 10.0.0.1 to 10.0.0.2, written out by hand.
    static let handBuilt: [UInt8] = [
        0x45, 0x00, 0x00, 0x28, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0x00, 0x00,
        10, 0, 0, 1, 10, 0, 0, 2,
        0x9c, 0x40, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0x04, 0x00, 0, 0, 0, 0,
    ]

    @Test func decodesAHandBuiltPacket() throws {
        let p = try #require(decode(Self.handBuilt, .rawIP))
        #expect(p.source == IPAddress("10.0.0.1") && p.destination == IPAddress("10.0.0.2"))
        #expect(p.proto == .tcp && p.destinationPort == 80 && p.flags == .syn && p.ipOptions == .notSet)
    }

    @Test func reportsOptionsWhenTheHeaderIsLonger() throws {
        var f = syn(a4, b4)
        f.ipv4OptionWords = 1
        #expect(try #require(decode(f.bytes(), .ethernet)).ipOptions == .set)
        f.ipv4OptionWords = 10
        #expect(try #require(decode(f.bytes(), .ethernet)).destinationPort == 31337)
    }

    @Test(arguments: 0...4)
    func rejectsHeadersShorterThan20Bytes(ihl: UInt8) {
        var raw = Self.handBuilt
        raw[0] = 0x40 | ihl
        #expect(decode(raw, .rawIP) == nil)
    }

    @Test func rejectsNonFirstFragmentsOnly() {
        var f = ProbeFrame(source: a4, destination: b4, transport: .udp(port: 53))
        f.ipv4FragmentOffset = 1
        #expect(decode(f.bytes(), .ethernet) == nil)
        var first = Self.handBuilt
        first[6] = 0x20    // more-fragments set, offset 0
        #expect(decode(first, .rawIP)?.destinationPort == 80)
    }

    @Test func decodesUDPAndIgnoresOtherProtocols() {
        let udp = decode(ProbeFrame(source: a4, destination: b4, transport: .udp(port: 514)).bytes(), .ethernet)
        #expect(udp == DecodedPacket(source: a4, destination: b4, proto: .udp, sourcePort: 40_000, destinationPort: 514, flags: [],
                                     ipOptions: .notSet))
        #expect(decode(ProbeFrame(source: a4, destination: b4, transport: .other(proto: 1)).bytes(), .ethernet) == nil)
    }

    @Test func rejectsAVersionMismatch() {
        var raw = Self.handBuilt
        raw[0] = 0x55
        #expect(decode(raw, .rawIP) == nil)
        #expect(decode([], .rawIP) == nil)
    }
}

@Suite struct DecodeIPv6Tests {
    @Test(arguments: [
        [ProbeFrame.IPv6Extension.options(type: 0, units: 0)],
        [.options(type: 43, units: 2)],
        [.options(type: 60, units: 1)],
        [.fragment(offset: 0)],
        [.authentication(lengthField: 1)],
        [.authentication(lengthField: 4)],
        [.options(type: 0, units: 0), .options(type: 60, units: 0), .options(type: 43, units: 1),
         .fragment(offset: 0), .authentication(lengthField: 7), .options(type: 60, units: 3)],
    ])
    func walksExtensionHeaders(exts: [ProbeFrame.IPv6Extension]) throws {
        var f = ProbeFrame(source: a6, destination: b6, transport: .tcp(port: 8080, flags: [.fin, .psh, .urg]))
        f.ipv6Extensions = exts
        let p = try #require(decode(f.bytes(), .ethernet))
        #expect(p.destinationPort == 8080 && p.flags == [.fin, .psh, .urg] && p.ipOptions == .unknown)
        f.transport = .udp(port: 4444)
        #expect(decode(f.bytes(), .ethernet)?.destinationPort == 4444)
    }

    @Test func measuresAHIn4ByteUnits() throws {
        // AH with length field 1 is 12 bytes: not a multiple of 8, so 8-byte units would misread it.
        var f = ProbeFrame(source: a6, destination: b6, transport: .udp(port: 7))
        f.ipv6Extensions = [.authentication(lengthField: 1)]
        let bytes = f.bytes(link: .rawIP)
        #expect(bytes.count == 40 + 12 + 8)
        #expect(decode(bytes, .rawIP)?.destinationPort == 7)
    }

    @Test func rejectsNonFirstFragments() {
        var f = ProbeFrame(source: a6, destination: b6, transport: .udp(port: 7))
        f.ipv6Extensions = [.options(type: 0, units: 0), .fragment(offset: 185)]
        #expect(decode(f.bytes(), .ethernet) == nil)
    }

    @Test(arguments: [UInt8(59), 50, 58, 135])
    func stopsAtOtherNextHeaders(next: UInt8) {
        var f = ProbeFrame(source: a6, destination: b6, transport: .other(proto: next))
        f.ipv6Extensions = [.options(type: 60, units: 0)]
        #expect(decode(f.bytes(), .ethernet) == nil)
    }
}

@Suite struct DecodeTruncationTests {
    static let frames: [(ProbeFrame, LinkType)] = {
        var v4opt = syn(a4, b4); v4opt.ipv4OptionWords = 3
        var v6ext = ProbeFrame(source: a6, destination: b6, transport: .udp(port: 9))
        v6ext.ipv6Extensions = [.options(type: 0, units: 1), .fragment(offset: 0), .authentication(lengthField: 3)]
        return [(syn(a4, b4), .ethernet), (v4opt, .linuxSLL), (v6ext, .linuxSLL2), (syn(a6, b6), .null),
                (ProbeFrame(source: a4, destination: b4, transport: .udp(port: 1)), .rawIP)]
    }()

    @Test func decodesOnlyOnceTheTransportPortsAndFlagsAreCaptured() throws {
        for (frame, link) in Self.frames {
            let full = frame.bytes(link: link)
            let expected = try #require(decode(full, link))
            // TCP needs 14 bytes of its header (flags), UDP 4 (the destination port); the builder writes 20 / 8.
            let needed = full.count - (expected.proto == .tcp ? 20 - 14 : 8 - 4)
            for n in 0..<full.count {
                let got = decode(Array(full[0..<n]), link)
                #expect(got == (n >= needed ? expected : nil), "prefix of \(n) bytes, \(link)")
            }
        }
    }
}

@Suite struct ProbeClassificationTests {
    @Test(arguments: [
        (TCPFlags.syn, "TCP SYN/Normal scan"), (TCPFlags(), "TCP NULL scan"), (TCPFlags.fin, "TCP FIN scan"),
        (TCPFlags([.fin, .urg, .psh]), "TCP XMAS scan"),
        (TCPFlags([.syn, .fin]), "Unknown Type: TCP Packet Flags: SYN: 1 FIN: 1 ACK: 0 PSH: 0 URG: 0 RST: 0"),
    ])
    func classifiesTCPProbes(flags: TCPFlags, text: String) throws {
        let p = DecodedPacket(source: a4, destination: b4, proto: .tcp, destinationPort: 1, flags: flags,
                              ipOptions: .set)
        let e = try #require(p.probeEvent(seenAt: 42))
        #expect(e.type.text == text && e.mode == .stealth && e.seenAt == 42 && e.ipOptions == .set && e.port == 1)
    }

    @Test(arguments: [TCPFlags.ack, TCPFlags.rst, TCPFlags([.syn, .ack]), TCPFlags([.rst, .ack])])
    func dropsAckAndReset(flags: TCPFlags) {
        let p = DecodedPacket(source: a4, destination: b4, proto: .tcp, destinationPort: 1, flags: flags,
                              ipOptions: .notSet)
        #expect(p.probeEvent(seenAt: 0) == nil)
    }

    @Test func classifiesUDP() {
        let p = DecodedPacket(source: a6, destination: b6, proto: .udp, destinationPort: 53, flags: [],
                              ipOptions: .unknown)
        #expect(p.probeEvent(seenAt: 0)?.type == .udp)
    }

    @Test func ignoresTheECNBits() {
        let frame = ProbeFrame(source: a4, destination: b4, transport: .tcp(port: 5, flags: TCPFlags(rawValue: 0xc2)))
        #expect(decode(frame.bytes(), .ethernet)?.probeEvent(seenAt: 0)?.type == .tcpSyn)
    }
}

/// ICMP errors quote the datagram they answer (its UDP header and watched port included); they
/// are never probes, whatever they quote.
@Suite struct ICMPErrorTests {
    /// An IPv4 packet of `proto` carrying `payload`.
    func ipv4(proto: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let length = 20 + payload.count
        return [0x45, 0, UInt8(length >> 8), UInt8(length & 0xff), 0, 0, 0, 0, 64, proto, 0, 0,
                192, 0, 2, 254, 192, 0, 2, 1] + payload
    }

    @Test func portUnreachableQuotingAWatchedUDPPortIsNoProbe() {
        let quotedUDP: [UInt8] = [0x82, 0x35, 0x7a, 0x69, 0, 8, 0, 0]   // 33333 -> 31337
        let quoted = ipv4(proto: 17, quotedUDP)
        let icmp = ipv4(proto: 1, [3, 3, 0, 0, 0, 0, 0, 0] + quoted)
        let decoded = icmp.withUnsafeBytes { PacketDecoder.decodeIP($0, at: 0) }
        #expect(decoded == nil)
        // The quoted datagram alone would be one.
        #expect(quoted.withUnsafeBytes { PacketDecoder.decodeIP($0, at: 0) }?.destinationPort == 31337)
    }

    @Test func icmpv6ErrorsAreNoProbes() {
        var packet: [UInt8] = [0x60, 0, 0, 0, 0, 8, 58, 64]
        packet += [UInt8](repeating: 0, count: 15) + [1] + [UInt8](repeating: 0, count: 15) + [2]
        packet += [1, 4, 0, 0, 0, 0, 0, 0]   // destination unreachable, port unreachable
        #expect(packet.withUnsafeBytes { PacketDecoder.decodeIP($0, at: 0) } == nil)
    }
}
