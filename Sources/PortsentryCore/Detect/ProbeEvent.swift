/// Transport protocol of a probe, printed as in the scan line.
public enum TransportProtocol: String, Sendable, Hashable, Codable {
    case tcp = "TCP"
    case udp = "UDP"
}

/// How the daemon watches ports: real sockets, or packet capture.
public enum SentryMode: String, Sendable, Hashable, Codable {
    case stealth
    case connect
}

/// TCP header flag bits (byte 13 of the TCP header).
public struct TCPFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let fin = TCPFlags(rawValue: 0x01)
    public static let syn = TCPFlags(rawValue: 0x02)
    public static let rst = TCPFlags(rawValue: 0x04)
    public static let psh = TCPFlags(rawValue: 0x08)
    public static let ack = TCPFlags(rawValue: 0x10)
    public static let urg = TCPFlags(rawValue: 0x20)
}

/// What kind of probe an event was, with portsentry 2.x's `type: [...]` text.
public enum ScanType: Sendable, Hashable {
    case connect
    case udp
    case tcpNull
    case tcpXmas
    case tcpFin
    case tcpSyn
    case tcpUnknown(TCPFlags)

    /// Classifies a stealth TCP packet by its flags; nil for ACK or RST packets,
    /// which belong to established or refused connections, not to probes.
    public static func classify(_ flags: TCPFlags) -> ScanType? {
        if flags.contains(.ack) || flags.contains(.rst) { return nil }
        switch flags.rawValue & 0x3f {
        case 0: return .tcpNull
        case TCPFlags([.fin, .urg, .psh]).rawValue: return .tcpXmas
        case TCPFlags.fin.rawValue: return .tcpFin
        case TCPFlags.syn.rawValue: return .tcpSyn
        default: return .tcpUnknown(flags)
        }
    }

    public var text: String {
        switch self {
        case .connect: return "Connect"
        case .udp: return "UDP"
        case .tcpNull: return "TCP NULL scan"
        case .tcpXmas: return "TCP XMAS scan"
        case .tcpFin: return "TCP FIN scan"
        case .tcpSyn: return "TCP SYN/Normal scan"
        case .tcpUnknown(let f):
            func bit(_ b: TCPFlags) -> Int { f.contains(b) ? 1 : 0 }
            return "Unknown Type: TCP Packet Flags: SYN: \(bit(.syn)) FIN: \(bit(.fin)) ACK: \(bit(.ack)) PSH: \(bit(.psh)) URG: \(bit(.urg)) RST: \(bit(.rst))"
        }
    }
}

/// Whether the IPv4 header carried options (`IP opts: [...]`).
public enum IPOptionsState: String, Sendable, Hashable {
    case set = "set"
    case notSet = "not set"
    case unknown = "unknown"
}

/// One probe seen by a sentry: the value that flows from capture into detection.
public struct ProbeEvent: Sendable, Hashable {
    public var source: IPAddress
    public var destination: IPAddress
    public var proto: TransportProtocol
    public var port: UInt16
    public var type: ScanType
    public var ipOptions: IPOptionsState
    public var mode: SentryMode
    /// When the packet or connection was seen, `CLOCK_MONOTONIC` nanoseconds (0 if unknown).
    public var seenAt: UInt64
    /// The index of the interface the packet came in on; 0 when unknown.
    public var interface: UInt32

    public init(source: IPAddress, destination: IPAddress, proto: TransportProtocol, port: UInt16,
                type: ScanType, ipOptions: IPOptionsState, mode: SentryMode, seenAt: UInt64 = 0, interface: UInt32 = 0) {
        self.source = source; self.destination = destination; self.proto = proto; self.port = port
        self.type = type; self.ipOptions = ipOptions; self.mode = mode; self.seenAt = seenAt; self.interface = interface
    }
}
