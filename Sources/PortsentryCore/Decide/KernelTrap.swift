/// What the kernel's packet-path rule bans on: a probe (TCP without ACK and RST; UDP that starts a
/// new flow) arriving on `ingress` for a local address of that interface, to one of the trap
/// ports, from a source outside `exempt`. The daemon keeps it in step with its own view: watched
/// ports minus those with a listener and those inside the ephemeral port range (they keep the
/// daemon's fresh service check), and every source the daemon would never ban.
public struct KernelTrap: Sendable, Hashable {
    /// Which interfaces the rule looks at: those the capture watches.
    public enum Ingress: Sendable, Hashable {
        case any
        case notLoopback
        case named([String])
    }

    public var tcpPorts: PortSet
    public var udpPorts: PortSet
    /// Sources never banned by the rule: the ignore list, protected and local addresses,
    /// loopback; disjoint and sorted (a network swallows the networks inside it).
    public var exempt: [CIDR]
    public var ingress: Ingress
    /// BAN_TIME in seconds; 0 = no timeout.
    public var banSeconds: UInt64

    /// - Parameters:
    ///   - watchedTCP, watchedUDP: the watched ports of each protocol the rule covers.
    ///   - servedTCP, servedUDP: the ports with a socket on any address.
    ///   - ephemeral: net.ipv4.ip_local_port_range.
    public init(watchedTCP: PortSet, watchedUDP: PortSet, servedTCP: PortSet, servedUDP: PortSet,
                ephemeral: ClosedRange<UInt16>, exempt: [CIDR], ingress: Ingress, banSeconds: UInt64) {
        let client = PortSet([ephemeral])
        tcpPorts = watchedTCP.subtracting(servedTCP).subtracting(client)
        udpPorts = watchedUDP.subtracting(servedUDP).subtracting(client)
        self.exempt = KernelTrap.disjoint(exempt + KernelTrap.loopback)
        self.ingress = ingress
        self.banSeconds = min(banSeconds, BanDuration.maximum.seconds)
    }

    /// 127.0.0.0/8 and ::1: never banned by the kernel, whatever the settings.
    public static let loopback = [CIDR(address: .v4(0x7f00_0000), prefixLength: 8), CIDR(host: .v6(high: 0, low: 1))]

    /// The ports of `proto` the rule bans on.
    public func ports(_ proto: TransportProtocol) -> PortSet { proto == .tcp ? tcpPorts : udpPorts }

    /// Whether the kernel rule bans on this probe (the daemon then says so in its lines).
    public func covers(_ event: ProbeEvent) -> Bool {
        let source = event.source.unmapped
        return event.mode == .stealth && ports(event.proto).contains(event.port)
            && !exempt.contains { $0.contains(source) }
    }

    /// Whether the rule would ban on no packet at all.
    public var isEmpty: Bool { tcpPorts.isEmpty && udpPorts.isEmpty }

    /// The networks sorted, each one not inside another.
    static func disjoint(_ networks: [CIDR]) -> [CIDR] {
        let widest = Set(networks).sorted { ($0.prefixLength, $0) < ($1.prefixLength, $1) }
        var kept: [CIDR] = []
        // Widest first: a network already kept can only be as wide or wider.
        for n in widest where !kept.contains(where: { $0.contains(n.network) }) {
            kept.append(n)
        }
        return kept.sorted()
    }
}

extension KernelTrap {
    /// net.ipv4.ip_local_port_range as text (`32768\t60999`), or nil if it cannot be read.
    public static func ephemeralRange(_ text: String) -> ClosedRange<UInt16>? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { UInt16($0) }
        guard parts.count == 2, parts[0] <= parts[1] else { return nil }
        return parts[0]...parts[1]
    }

    /// Linux's default range, used when /proc cannot be read.
    public static let defaultEphemeral: ClosedRange<UInt16> = 32768...60999
}
