import PortsentryCore

/// Builds the bytes of one probe packet: the inverse of `PacketDecoder`, used by the tests and by
/// the capture benchmark's sender. The IPv4 header checksum is filled in; TCP/UDP checksums are 0.
public struct ProbeFrame: Sendable, Hashable {
    public enum Transport: Sendable, Hashable {
        case tcp(port: UInt16, flags: TCPFlags)
        case udp(port: UInt16)
        /// Any other IP protocol number, with 8 zero bytes of payload.
        case other(proto: UInt8)
    }

    /// An IPv6 extension header placed between the fixed header and the transport header.
    public enum IPv6Extension: Sendable, Hashable {
        /// Hop-by-hop (0), routing (43) or destination options (60): `units` extra 8-byte units.
        case options(type: UInt8, units: UInt8)
        /// Fragment header (44) with this fragment offset in 8-byte units.
        case fragment(offset: UInt16)
        /// Authentication header (51): its length field, (total 4-byte units) - 2.
        case authentication(lengthField: UInt8)
    }

    public var source: IPAddress
    public var destination: IPAddress
    public var transport: Transport
    public var sourcePort: UInt16 = 40_000
    /// IPv4: words of options (each 4 bytes of NOP), 0...10.
    public var ipv4OptionWords = 0
    /// IPv4: fragment offset in 8-byte units (0 = first or only fragment).
    public var ipv4FragmentOffset: UInt16 = 0
    public var ipv6Extensions: [IPv6Extension] = []
    /// Ethernet destination; broadcast by default so any receiving interface accepts it.
    public var destinationMAC: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
    public var sourceMAC: [UInt8] = [0x02, 0, 0, 0, 0, 0x01]

    public init(source: IPAddress, destination: IPAddress, transport: Transport) {
        self.source = source; self.destination = destination; self.transport = transport
    }

    /// The frame with the link-layer header `link` in front of the IP packet.
    public func bytes(link: LinkType = .ethernet) -> [UInt8] {
        let ip = ipPacket()
        let v6 = source.family == .inet6
        let etherType: [UInt8] = v6 ? [0x86, 0xdd] : [0x08, 0x00]
        switch link {
        case .rawIP: return ip
        case .ethernet: return destinationMAC + sourceMAC + etherType + ip
        case .linuxSLL:
            // packet type 0 (to us), ARPHRD_ETHER, address length 6, address + 2 padding, protocol.
            return [0, 0, 0, 1, 0, 6] + sourceMAC + [0, 0] + etherType + ip
        case .linuxSLL2:
            // protocol, reserved, ifindex 2, ARPHRD_ETHER, packet type 0, address length 6, address.
            return etherType + [0, 0, 0, 0, 0, 2, 0, 1, 0, 6] + sourceMAC + [0, 0] + ip
        case .null:
            let family: UInt8 = v6 ? 10 : 2
            return [family, 0, 0, 0] + ip
        }
    }

    /// The IP packet alone (what an AF_PACKET `SOCK_DGRAM` socket sends or receives).
    public func ipPacket() -> [UInt8] {
        var payload: [UInt8]
        let proto: UInt8
        switch transport {
        case .tcp(let port, let flags):
            proto = 6
            payload = be16(sourcePort) + be16(port) + [0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags.rawValue]
                + [0x04, 0x00, 0, 0, 0, 0]
        case .udp(let port):
            proto = 17
            payload = be16(sourcePort) + be16(port) + [0, 8, 0, 0]
        case .other(let p):
            proto = p
            payload = [UInt8](repeating: 0, count: 8)
        }
        if source.family == .inet6 { return ipv6(proto: proto, payload: payload) }
        return ipv4(proto: proto, payload: payload)
    }

    private func ipv4(proto: UInt8, payload: [UInt8]) -> [UInt8] {
        let headerLength = 20 + 4 * ipv4OptionWords
        var h: [UInt8] = [0x40 | UInt8(headerLength / 4), 0] + be16(UInt16(headerLength + payload.count))
            + [0x12, 0x34] + be16(ipv4FragmentOffset & 0x1fff) + [64, proto, 0, 0]
            + source.bytes + destination.bytes
            + [UInt8](repeating: 1, count: 4 * ipv4OptionWords)
        var sum: UInt32 = 0
        for i in stride(from: 0, to: h.count, by: 2) { sum += UInt32(h[i]) << 8 | UInt32(h[i + 1]) }
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        let checksum = ~UInt16(sum)
        h[10] = UInt8(checksum >> 8); h[11] = UInt8(checksum & 0xff)
        return h + payload
    }

    private func ipv6(proto: UInt8, payload: [UInt8]) -> [UInt8] {
        // Each extension header names the one after it; the last names the transport.
        var chain: [UInt8] = []
        let types: [UInt8] = ipv6Extensions.map {
            switch $0 {
            case .options(let type, _): return type
            case .fragment: return 44
            case .authentication: return 51
            }
        }
        for (i, ext) in ipv6Extensions.enumerated() {
            let next = i + 1 < types.count ? types[i + 1] : proto
            switch ext {
            case .options(_, let units):
                chain += [next, units] + [UInt8](repeating: 0, count: 6 + 8 * Int(units))
            case .fragment(let offset):
                chain += [next, 0] + be16(offset << 3) + [0, 0, 0, 1]
            case .authentication(let lengthField):
                chain += [next, lengthField] + [UInt8](repeating: 0, count: (Int(lengthField) + 2) * 4 - 2)
            }
        }
        let first = types.first ?? proto
        return [0x60, 0, 0, 0] + be16(UInt16(chain.count + payload.count)) + [first, 64]
            + source.bytes + destination.bytes + chain + payload
    }

    private func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xff)] }
}
