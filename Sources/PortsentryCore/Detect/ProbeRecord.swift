/// One probe as evidence of a ban: what `portsentry-ctl explain` shows of each probe that counted.
public struct ProbeRecord: Sendable, Hashable {
    /// When detection saw it, wall-clock milliseconds since the epoch.
    public var time: Int64
    /// The host that sent it (inside a banned prefix, which one).
    public var source: IPAddress
    public var proto: TransportProtocol
    public var port: UInt16
    public var type: ScanType
    /// The interface it came in on (its index); 0 when unknown (connect mode, the `any` device).
    public var interface: UInt32

    public init(time: Int64, source: IPAddress, proto: TransportProtocol, port: UInt16, type: ScanType, interface: UInt32 = 0) {
        self.time = time; self.source = source; self.proto = proto; self.port = port; self.type = type; self.interface = interface
    }

    public init(_ event: ProbeEvent, at time: Int64) {
        self.init(time: time, source: event.source.unmapped, proto: event.proto, port: event.port, type: event.type,
                  interface: event.interface)
    }
}

extension ScanType {
    /// The TCP flag bits the type stands for (a UDP or connect probe has none).
    public var flags: TCPFlags {
        switch self {
        case .connect, .udp, .tcpNull: []
        case .tcpXmas: [.fin, .urg, .psh]
        case .tcpFin: .fin
        case .tcpSyn: .syn
        case .tcpUnknown(let f): f
        }
    }

    /// The type a probe of `proto` with these TCP flag bits is (the inverse of `flags`).
    public init(proto: TransportProtocol, flags: TCPFlags, connect: Bool) {
        if proto == .udp { self = .udp } else if connect { self = .connect } else { self = ScanType.classify(flags) ?? .tcpUnknown(flags) }
    }
}
