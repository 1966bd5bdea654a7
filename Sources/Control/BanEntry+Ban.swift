import Firewall
import PortsentryCore

extension BanEntry {
    /// The `type` a manual ban records in the backend: `manual`, or `manual: <reason>`.
    static func manualType(reason: String?) -> String {
        reason.map { "manual: \($0)" } ?? "manual"
    }

    /// How `list` shows a ban of the nftables backend at `now` (wall-clock milliseconds).
    public init(_ ban: Ban, now: Int64) {
        var trigger: Trigger?
        var reason: String?
        if let t = ban.trigger {
            if let proto = t.proto, let port = t.port {
                trigger = Trigger(proto: proto.rawValue, port: port, type: t.type)
            } else if t.type.hasPrefix("manual: ") {
                reason = String(t.type.dropFirst("manual: ".count))
            }
        }
        self.init(address: "\(ban.address)",
                  expiresIn: ban.timeLeftMs(at: now).map { UInt64(($0 + 999) / 1000) },
                  bannedAt: ban.trigger.map { $0.time / 1000 },
                  trigger: trigger, hits: ban.hits, reason: reason)
    }
}
