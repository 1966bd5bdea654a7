/// The fields of one captured IPv4/IPv6 TCP or UDP packet that detection needs.
public struct DecodedPacket: Sendable, Hashable {
    public var source: IPAddress
    public var destination: IPAddress
    public var proto: TransportProtocol
    public var destinationPort: UInt16
    /// The source port (connection tracking asks for the whole tuple).
    public var sourcePort: UInt16
    /// TCP flag bits; empty for UDP.
    public var flags: TCPFlags
    /// `set` when the IPv4 header is longer than 20 bytes, `unknown` for IPv6.
    public var ipOptions: IPOptionsState

    public init(source: IPAddress, destination: IPAddress, proto: TransportProtocol, sourcePort: UInt16 = 0,
                destinationPort: UInt16, flags: TCPFlags, ipOptions: IPOptionsState) {
        self.source = source; self.destination = destination; self.proto = proto; self.sourcePort = sourcePort
        self.destinationPort = destinationPort; self.flags = flags; self.ipOptions = ipOptions
    }

    /// The stealth probe this packet is, or nil when it is not one (TCP ACK or RST).
    /// `seenAt` is the capture time, `CLOCK_MONOTONIC` nanoseconds; `interface` the index of the
    /// interface it came in on (0 = unknown).
    public func probeEvent(seenAt: UInt64, interface: UInt32 = 0) -> ProbeEvent? {
        let type: ScanType
        switch proto {
        case .udp: type = .udp
        case .tcp:
            guard let t = ScanType.classify(flags) else { return nil }
            type = t
        }
        return ProbeEvent(source: source, destination: destination, proto: proto, port: destinationPort,
                          type: type, ipOptions: ipOptions, mode: .stealth, seenAt: seenAt, interface: interface)
    }
}
