/// Decodes captured link-layer bytes into a `DecodedPacket`.
///
/// Every read is preceded by a length check against the captured bytes, so no input (truncated,
/// malformed or hostile) makes it read past the buffer or trap. Packets that are not IPv4/IPv6
/// TCP/UDP, non-first fragments, IPv4 headers shorter than 20 bytes and packets the host sent
/// itself (cooked captures mark them outgoing) decode to nil.
public enum PacketDecoder {
    public static func decode(_ bytes: UnsafeRawBufferPointer, link: LinkType) -> DecodedPacket? {
        guard let start = networkOffset(bytes, link: link) else { return nil }
        return decodeIP(bytes, at: start)
    }

    /// Decodes bytes that start with an IPv4 or IPv6 header (AF_PACKET `SOCK_DGRAM`, `DLT_RAW`).
    public static func decodeIP(_ b: UnsafeRawBufferPointer, at start: Int) -> DecodedPacket? {
        guard b.count > start else { return nil }
        switch b[start] >> 4 {
        case 4: return decodeIPv4(b, at: start)
        case 6: return decodeIPv6(b, at: start)
        default: return nil
        }
    }

    /// Where the IP header starts behind the link-layer header, or nil if it carries no IP.
    static func networkOffset(_ b: UnsafeRawBufferPointer, link: LinkType) -> Int? {
        switch link {
        case .rawIP:
            return 0
        case .ethernet:
            var typeAt = 12
            for _ in 0..<3 {   // the EtherType, behind at most two VLAN tags
                guard b.count >= typeAt + 2 else { return nil }
                let type = b.bigEndianU16(at: typeAt)
                if type == 0x8100 || type == 0x88a8 { typeAt += 4; continue }
                return isIPEtherType(type) ? typeAt + 2 : nil
            }
            return nil
        case .linuxSLL:
            guard b.count >= 16, b.bigEndianU16(at: 0) != outgoing,
                  isIPEtherType(b.bigEndianU16(at: 14)) else { return nil }
            return 16
        case .linuxSLL2:
            guard b.count >= 20, UInt16(b[10]) != outgoing,
                  isIPEtherType(b.bigEndianU16(at: 0)) else { return nil }
            return 20
        case .null:
            guard b.count >= 4 else { return nil }
            // Host byte order of whoever captured: accept either order.
            let little = UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24
            let family = little > 0xffff ? little.byteSwapped : little
            // AF_INET everywhere; AF_INET6 on Linux (10), NetBSD/OpenBSD (24), FreeBSD (28), macOS (30).
            switch family {
            case 2, 10, 24, 28, 30: return 4
            default: return nil
            }
        }
    }

    /// `PACKET_OUTGOING` in a cooked header: sent by this host.
    private static let outgoing: UInt16 = 4

    private static func isIPEtherType(_ type: UInt16) -> Bool { type == 0x0800 || type == 0x86dd }

    static func decodeIPv4(_ b: UnsafeRawBufferPointer, at ip: Int) -> DecodedPacket? {
        guard b.count >= ip + 20, b[ip] >> 4 == 4 else { return nil }
        let headerLength = Int(b[ip] & 0x0f) * 4
        guard headerLength >= 20, b.bigEndianU16(at: ip + 6) & 0x1fff == 0 else { return nil }
        return decodeTransport(b, at: ip + headerLength, proto: b[ip + 9],
                               source: .v4(b.bigEndianU32(at: ip + 12)),
                               destination: .v4(b.bigEndianU32(at: ip + 16)),
                               ipOptions: headerLength > 20 ? .set : .notSet)
    }

    static func decodeIPv6(_ b: UnsafeRawBufferPointer, at ip: Int) -> DecodedPacket? {
        guard b.count >= ip + 40, b[ip] >> 4 == 6 else { return nil }
        let source = IPAddress.v6(high: b.bigEndianU64(at: ip + 8), low: b.bigEndianU64(at: ip + 16))
        let destination = IPAddress.v6(high: b.bigEndianU64(at: ip + 24), low: b.bigEndianU64(at: ip + 32))
        var next = b[ip + 6]
        var at = ip + 40
        // Each extension header moves `at` forward by at least 8 bytes, so this loop ends.
        while true {
            switch next {
            case 6, 17:
                return decodeTransport(b, at: at, proto: next, source: source, destination: destination,
                                       ipOptions: .unknown)
            case 0, 43, 60:   // hop-by-hop, routing, destination options: length in 8-byte units
                guard b.count >= at + 2 else { return nil }
                next = b[at]
                at += (Int(b[at + 1]) + 1) * 8
            case 44:          // fragment: only the first fragment carries the transport header
                guard b.count >= at + 8, b.bigEndianU16(at: at + 2) & 0xfff8 == 0 else { return nil }
                next = b[at]
                at += 8
            case 51:          // authentication header: length in 4-byte units, minus 2
                guard b.count >= at + 2 else { return nil }
                next = b[at]
                at += (Int(b[at + 1]) + 2) * 4
            default:
                return nil
            }
        }
    }

    private static func decodeTransport(_ b: UnsafeRawBufferPointer, at t: Int, proto: UInt8,
                                        source: IPAddress, destination: IPAddress,
                                        ipOptions: IPOptionsState) -> DecodedPacket? {
        switch proto {
        case 6:
            guard b.count >= t + 14 else { return nil }
            return DecodedPacket(source: source, destination: destination, proto: .tcp, sourcePort: b.bigEndianU16(at: t),
                                 destinationPort: b.bigEndianU16(at: t + 2),
                                 flags: TCPFlags(rawValue: b[t + 13] & 0x3f), ipOptions: ipOptions)
        case 17:
            guard b.count >= t + 4 else { return nil }
            return DecodedPacket(source: source, destination: destination, proto: .udp, sourcePort: b.bigEndianU16(at: t),
                                 destinationPort: b.bigEndianU16(at: t + 2), flags: [], ipOptions: ipOptions)
        default:
            return nil
        }
    }
}
