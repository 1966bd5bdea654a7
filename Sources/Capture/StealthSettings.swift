import PortsentryCore

/// Everything a stealth sentry needs, decided once from the command line and the config.
public struct StealthSettings: Sendable, Hashable {
    public var method: CaptureMethod
    public var interfaces: InterfaceSelection
    /// The ports watched per protocol (empty when the protocol is not watched).
    public var tcpPorts: PortSet
    public var udpPorts: PortSet
    /// Skip probes to ports with a listening socket (docs/daemon.md "The data path"; `-S` turns it off).
    public var serviceCheck: Bool
    /// Advanced mode per protocol: ports with a listener are never watched, even with `-S`.
    public var tcpAdvanced: Bool
    public var udpAdvanced: Bool
    /// pcap: deliver each packet at once (TPACKET_V2) instead of in blocks (see docs/stealth.md).
    public var pcapImmediateMode = true
    /// pcap without immediate mode: how long a block may wait before delivery, milliseconds.
    public var pcapTimeoutMilliseconds: Int32 = 1
    /// Kernel buffer per capture handle or socket, bytes.
    public var bufferBytes: Int32 = 4 << 20
    /// How often the listening-socket view is re-read, nanoseconds.
    public var listenerRefreshNanoseconds: UInt64 = 1_000_000_000

    public init(method: CaptureMethod, interfaces: InterfaceSelection, tcpPorts: PortSet, udpPorts: PortSet,
                serviceCheck: Bool, tcpAdvanced: Bool = false, udpAdvanced: Bool = false) {
        self.method = method; self.interfaces = interfaces; self.tcpPorts = tcpPorts; self.udpPorts = udpPorts
        self.serviceCheck = serviceCheck; self.tcpAdvanced = tcpAdvanced; self.udpAdvanced = udpAdvanced
    }

    /// Builds the settings from the daemon's options and config. In advanced mode a protocol
    /// watches 1...ADVANCED_PORTS_x minus ADVANCED_EXCLUDE_x; otherwise its configured list.
    public init(method: CaptureMethod, interfaces: [String], serviceCheck: Bool,
                protocols: Set<TransportProtocol>, tcpAdvanced: Bool, udpAdvanced: Bool,
                config: Config) throws(CaptureError) {
        func ports(_ proto: TransportProtocol, advanced: Bool) -> PortSet {
            protocols.contains(proto) ? config.ports(for: proto, advanced: advanced) : .empty
        }
        self.init(method: method, interfaces: try InterfaceSelection(arguments: interfaces),
                  tcpPorts: ports(.tcp, advanced: tcpAdvanced),
                  udpPorts: ports(.udp, advanced: udpAdvanced),
                  serviceCheck: serviceCheck, tcpAdvanced: tcpAdvanced, udpAdvanced: udpAdvanced)
    }

    /// The watched ports of a protocol.
    func ports(_ proto: TransportProtocol) -> PortSet { proto == .tcp ? tcpPorts : udpPorts }

    /// Whether probes to a port with a listener are skipped for this protocol.
    func skipsListeners(_ proto: TransportProtocol) -> Bool {
        serviceCheck || (proto == .tcp ? tcpAdvanced : udpAdvanced)
    }
}
