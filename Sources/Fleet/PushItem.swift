import PortsentryCore

/// One thing to tell the LAPI, as the push queue keeps it on disk: a local ban to share, or
/// (CROWDSEC_PUSH_UNBLOCK) an unblock to spread.
struct PushItem: Codable, Sendable, Hashable {
    enum Kind: String, Codable, Sendable { case ban, unban }
    var kind: Kind
    /// The banned host, canonical text (IPv4-mapped addresses as IPv4).
    var value: String
    /// The ban's length in seconds (0 = no expiry) and start, wall-clock milliseconds.
    var seconds: UInt64
    var startMs: Int64
    /// `portsentry/tcp-scan`, `portsentry/udp-scan` or `portsentry/manual`.
    var scenario: String
    /// Evidence as event meta (proto, dst_port, type, mode, reason).
    var meta: [String: String]

    /// A ban worth sharing: a local probe or manual ban (a fleet ban is never pushed back). It
    /// names a host (scope `Ip`): a probe's prefix ban shares the host that probed, a manual
    /// prefix ban is not shared.
    init?(_ decision: BanDecision) {
        guard let host = decision.target.isHost ? decision.address : decision.source else { return nil }
        var meta: [String: String] = [:]
        switch decision.origin {
        case .probe(let e):
            scenario = "portsentry/\(e.proto == .tcp ? "tcp" : "udp")-scan"
            meta = ["proto": e.proto.rawValue.lowercased(), "dst_port": String(e.port), "type": e.type]
            if let mode = e.mode { meta["portsentry_mode"] = mode.rawValue }
        case .manual(let reason):
            scenario = "portsentry/manual"
            if let reason { meta["reason"] = reason }
        case .fleet:
            return nil
        }
        kind = .ban
        value = "\(host.unmapped)"
        seconds = decision.seconds
        startMs = decision.time
        self.meta = meta
    }

    /// An unblock of `address`, spread fleet-wide.
    init(unblock address: IPAddress, at time: Int64 = WallClock.nowMs()) {
        kind = .unban; value = "\(address.unmapped)"; seconds = 0; startMs = time; scenario = "portsentry/manual"; meta = [:]
    }

    /// When the ban ends, wall-clock milliseconds; nil = never (an unban stays due a day).
    var expiresAtMs: Int64? {
        if kind == .unban { return startMs + 86_400_000 }
        return seconds == 0 ? nil : startMs + Int64(seconds) * 1000
    }

    func isLive(at now: Int64) -> Bool { expiresAtMs.map { $0 > now } ?? true }
}
