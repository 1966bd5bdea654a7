import PortsentryCore

/// The ban ledger's file (STATE_FILE + `.ledger`): per target its offence count and its last ban
/// with the evidence behind it. Text, one record per line, tab-separated, after a version line:
///
///     portsentry-ledger 1
///     <target> <offences> <decided ms> <seconds> <offence> <term> <expires ms|never> <ended ms|-> <end reason|->
///         <origin: probe|manual|fleet> <proto|-> <port|-> <text> <by kernel 0|1> <rule|-> <probes|->
///         <source host|-> <narrowed: why a prefix ban held only its host|->
///
/// term: `configured:<base>:<factor>:<capped 0|1>`, `requested` or `fleet`; rule:
/// `<trigger>:<window seconds|->:<distinct ports 0|1>`; probes: `;`-separated
/// `<ms>,<source>,<TCP|UDP>,<port>,<TCP flags|c for connect>,<interface index>`.
/// Written atomically, like STATE_FILE; a malformed line is skipped and reported, never fatal.
public struct BanLedgerFile: Sendable {
    public let path: String
    static let versionLine = "portsentry-ledger 1"

    public init(path: String) { self.path = path }

    /// The ledger file that goes with STATE_FILE `statePath`.
    public init(statePath: String) { self.init(path: statePath + ".ledger") }

    public func write(_ records: [BanRecord]) throws(AtomicFile.Failure) {
        var text = BanLedgerFile.versionLine + "\n"
        for r in records { text += BanLedgerFile.line(r) + "\n" }
        try AtomicFile.write(Array(text.utf8), to: path)
    }

    /// What reading the file gave: its records, and the lines that could not be read.
    public struct Contents: Sendable {
        public var records: [BanRecord] = []
        /// `path:line: what is wrong` for each skipped line.
        public var problems: [String] = []
    }

    /// The records in the file; none when it does not exist.
    public func read() -> Contents {
        switch TextFile.contents(of: path) {
        case .missing: return Contents()
        case .unreadable(let why): return Contents(problems: ["\(path): \(why)"])
        case .text(let text): return BanLedgerFile.parse(text, path: path)
        }
    }

    public static func parse(_ text: String, path: String) -> Contents {
        var out = Contents()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first == Substring(versionLine) else {
            out.problems.append("\(path):1: not a portsentry ban ledger (the first line must be \"\(versionLine)\"); ignoring the file")
            return out
        }
        for (i, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            if let record = record(line) { out.records.append(record) } else { out.problems.append("\(path):\(i + 1): malformed record, skipped") }
        }
        return out
    }

    // MARK: Encoding

    static func line(_ r: BanRecord) -> String {
        let d = r.last
        var fields = [r.target.description, String(r.offences), String(d.time), String(d.seconds), String(d.offence), term(d.term),
                      r.expiresAt.map(String.init) ?? "never", r.ended.map { String($0.time) } ?? "-", r.ended?.reason.rawValue ?? "-"]
        switch d.origin {
        case .probe(let e):
            fields += ["probe", e.proto.rawValue, String(e.port), BanStateFile.oneField(e.type), e.byKernel ? "1" : "0",
                       e.trigger.map { rule($0.rule) } ?? "-", e.trigger.map { probes($0.probes) } ?? "-"]
        case .manual(let reason): fields += ["manual", "-", "-", BanStateFile.oneField(reason ?? ""), "0", "-", "-"]
        case .fleet(let source): fields += ["fleet", "-", "-", BanStateFile.oneField(source), "0", "-", "-"]
        }
        fields += [d.source.map { "\($0)" } ?? "-", d.narrowed.map(BanStateFile.oneField) ?? "-"]
        return fields.joined(separator: "\t")
    }

    private static func term(_ t: BanTerm) -> String {
        switch t {
        case .configured(let base, let factor, let capped): "configured:\(base):\(factor):\(capped ? 1 : 0)"
        case .requested: "requested"
        case .fleet: "fleet"
        case .renewed: "renewed"
        }
    }

    private static func rule(_ r: TriggerRule) -> String {
        "\(r.trigger):\(r.windowSeconds.map(String.init) ?? "-"):\(r.distinctPorts ? 1 : 0)"
    }

    private static func probes(_ list: [ProbeRecord]) -> String {
        list.isEmpty ? "-" : list.map { p in
            let type = p.type == .connect ? "c" : String(p.type.flags.rawValue)
            return "\(p.time),\(p.source),\(p.proto.rawValue),\(p.port),\(type),\(p.interface)"
        }.joined(separator: ";")
    }

    // MARK: Decoding

    static func record(_ line: Substring) -> BanRecord? {
        let f = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard f.count == 18, let target = try? CIDR.parse(f[0]), !target.hadHostBits,
              let offences = Int(f[1]), offences >= 1, let time = Int64(f[2]), let seconds = UInt64(f[3]),
              let offence = Int(f[4]), offence >= 1, let term = term(f[5]) else { return nil }
        let expires: Int64?
        if f[6] == "never" { expires = nil } else { guard let e = Int64(f[6]) else { return nil }; expires = e }
        var ended: (time: Int64, reason: BanRelease.Reason)?
        if f[7] != "-" || f[8] != "-" {
            guard let at = Int64(f[7]), let reason = BanRelease.Reason(rawValue: String(f[8])) else { return nil }
            ended = (at, reason)
        }
        guard let origin = origin(kind: f[9], proto: f[10], port: f[11], text: f[12], byKernel: f[13], rule: f[14], probes: f[15])
        else { return nil }
        var source: IPAddress?
        if f[16] != "-" { guard let s = IPAddress(f[16]) else { return nil }; source = s }
        let decision = BanDecision(target: target.cidr, seconds: seconds, origin: origin, time: time, offence: offence, term: term,
                                   source: source, narrowed: f[17] == "-" ? nil : String(f[17]))
        return BanRecord(target: target.cidr, offences: offences, last: decision, expiresAt: expires, ended: ended)
    }

    private static func origin(kind: Substring, proto: Substring, port: Substring, text: Substring, byKernel: Substring,
                               rule: Substring, probes: Substring) -> BanOrigin? {
        switch kind {
        case "probe":
            guard let proto = TransportProtocol(rawValue: String(proto)), let port = UInt16(port),
                  byKernel == "0" || byKernel == "1" else { return nil }
            var trigger: TriggerEvidence?
            if rule != "-" {
                guard let r = self.rule(rule), let list = self.probes(probes) else { return nil }
                trigger = TriggerEvidence(rule: r, probes: list)
            } else if probes != "-" { return nil }
            return .probe(ProbeEvidence(proto: proto, port: port, type: String(text), byKernel: byKernel == "1", trigger: trigger))
        case "manual":
            guard proto == "-", port == "-" else { return nil }
            return .manual(reason: text.isEmpty ? nil : String(text))
        case "fleet":
            guard proto == "-", port == "-", !text.isEmpty else { return nil }
            return .fleet(String(text))
        default: return nil
        }
    }

    private static func term(_ text: Substring) -> BanTerm? {
        switch text {
        case "requested": return .requested
        case "fleet": return .fleet
        case "renewed": return .renewed
        default:
            let p = text.split(separator: ":", omittingEmptySubsequences: false)
            guard p.count == 4, p[0] == "configured", let base = UInt64(p[1]), let factor = Double(p[2]),
                  factor.isFinite, factor >= 1, p[3] == "0" || p[3] == "1" else { return nil }
            return .configured(base: base, factor: factor, capped: p[3] == "1")
        }
    }

    private static func rule(_ text: Substring) -> TriggerRule? {
        let p = text.split(separator: ":", omittingEmptySubsequences: false)
        guard p.count == 3, let trigger = Int(p[0]), trigger >= 0, p[2] == "0" || p[2] == "1" else { return nil }
        var window: UInt64?
        if p[1] != "-" { guard let w = UInt64(p[1]), w > 0 else { return nil }; window = w }
        return TriggerRule(trigger: trigger, windowSeconds: window, distinctPorts: p[2] == "1")
    }

    private static func probes(_ text: Substring) -> [ProbeRecord]? {
        guard text != "-" else { return [] }
        var out: [ProbeRecord] = []
        for item in text.split(separator: ";", omittingEmptySubsequences: false) {
            let p = item.split(separator: ",", omittingEmptySubsequences: false)
            guard p.count == 6, out.count < ProbeTrail.evidenceCount, let time = Int64(p[0]), let source = IPAddress(p[1]),
                  let proto = TransportProtocol(rawValue: String(p[2])), let port = UInt16(p[3]),
                  let interface = UInt32(p[5]) else { return nil }
            let type: ScanType
            if p[4] == "c" { type = .connect } else {
                guard let bits = UInt8(p[4]) else { return nil }
                type = ScanType(proto: proto, flags: TCPFlags(rawValue: bits), connect: false)
            }
            out.append(ProbeRecord(time: time, source: source, proto: proto, port: port, type: type, interface: interface))
        }
        return out
    }
}
