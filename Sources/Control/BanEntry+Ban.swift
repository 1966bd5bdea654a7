import PortsentryCore

extension BanEntry {
    /// How `list` shows a ban at `now` (wall-clock milliseconds).
    public init(_ ban: Ban, now: Int64) {
        var trigger: Trigger?
        var reason: String?
        var fleet: String?
        switch ban.origin {
        case .probe(let e)?: trigger = Trigger(proto: e.proto.rawValue, port: e.port, type: e.type)
        case .manual(let why)?: reason = why
        case .fleet(let source)?: fleet = source
        case nil: break
        }
        self.init(address: "\(ban.target)",
                  expiresIn: ban.timeLeftMs(at: now).map { UInt64(($0 + 999) / 1000) },
                  bannedAt: ban.since.map { $0 / 1000 },
                  trigger: trigger, hits: ban.hits, reason: reason, fleet: fleet, offence: ban.offence)
    }
}
