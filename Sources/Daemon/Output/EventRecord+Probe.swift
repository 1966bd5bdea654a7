import PortsentryCore

extension EventRecord {
    /// The line of one probe that became `result`, seen at `micros` (wall clock); `interfaceName`
    /// names `event.interface`.
    init(probe event: ProbeEvent, result: ProbeResult, micros: Int64, interfaceName: (UInt32) -> String) {
        self.init(time: UTCTimestamp.text(micros: micros), kind: .probe)
        source = "\(event.source.unmapped)"
        destination = "\(event.destination.unmapped)"
        port = event.port
        proto = event.proto.word
        probeType = event.type.word
        if event.proto == .tcp, event.mode == .stealth { tcpFlags = event.type.flags.rawValue }
        switch event.ipOptions {
        case .set: ipOptions = true
        case .notSet: ipOptions = false
        case .unknown: break
        }
        if event.interface != 0 { interface = interfaceName(event.interface) }
        mode = event.mode.rawValue
        self.result = result.rawValue
    }
}

extension TransportProtocol {
    /// `tcp` or `udp`.
    var word: String { self == .tcp ? "tcp" : "udp" }
}

extension ScanType {
    /// The type as one word: `connect`, `udp`, `null`, `xmas`, `fin`, `syn` or `unknown`.
    var word: String {
        switch self {
        case .connect: "connect"
        case .udp: "udp"
        case .tcpNull: "null"
        case .tcpXmas: "xmas"
        case .tcpFin: "fin"
        case .tcpSyn: "syn"
        case .tcpUnknown: "unknown"
        }
    }

    /// The word of a scan line's type text (`TCP SYN/Normal scan` → `syn`), as a ban's
    /// evidence keeps it; nil for a text no type has.
    static func word(ofText text: String) -> String? {
        let named: [ScanType] = [.connect, .udp, .tcpNull, .tcpXmas, .tcpFin, .tcpSyn]
        if let type = named.first(where: { $0.text == text }) { return type.word }
        return text.hasPrefix("Unknown Type:") ? ScanType.tcpUnknown([]).word : nil
    }
}
