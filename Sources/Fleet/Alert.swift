import Foundation
import PortsentryCore

/// The alert `POST /v1/alerts` takes for one pushed ban: one decision of our origin, with the
/// ban's start as `stop_at` so the LAPI's expiry equals ours even when the push was queued.
struct Alert: Encodable {
    struct Meta: Encodable { var key: String; var value: String }
    struct Source: Encodable { var scope = "Ip"; var value: String; var ip: String }
    struct Event: Encodable { var timestamp: String; var meta: [Meta] }
    struct Decision: Encodable {
        var origin: String; var type = "ban"; var scope = "Ip"; var value: String; var duration: String; var scenario: String
    }

    var scenario: String
    var scenario_hash = ""
    var scenario_version = PortsentryVersion.number
    var message: String
    var events_count = 1
    var start_at: String
    var stop_at: String
    var capacity = 0
    var leakspeed = "0"
    var simulated = false
    var remediation = true
    var source: Source
    var meta: [Meta]
    var events: [Event]
    var decisions: [Decision]

    /// Go has no `d` unit: seconds; a ban with no expiry is shared for ten years.
    static let neverSeconds: UInt64 = 10 * 365 * 86_400

    init(_ item: PushItem, origin: String, node: String) {
        let time = Self.rfc3339(item.startMs)
        scenario = item.scenario
        message = "Ip \(item.value) performed '\(item.scenario)' (1 events over 0s) at \(time)"
        start_at = time
        stop_at = time
        source = Source(value: item.value, ip: item.value)
        meta = [Meta(key: "node", value: node)]
        let evidence = [Meta(key: "source_ip", value: item.value)] + item.meta.sorted { $0.key < $1.key }.map { Meta(key: $0.key, value: $0.value) }
        events = [Event(timestamp: time, meta: evidence)]
        decisions = [Decision(origin: origin, value: item.value, duration: "\(item.seconds == 0 ? Self.neverSeconds : item.seconds)s",
                              scenario: item.scenario)]
    }

    /// The JSON array body for `items`.
    static func body(_ items: [PushItem], origin: String, node: String) -> Data {
        (try? JSONEncoder().encode(items.map { Alert($0, origin: origin, node: node) })) ?? Data("[]".utf8)
    }

    /// UTC RFC 3339 with milliseconds.
    static func rfc3339(_ ms: Int64) -> String { UTCTimestamp.text(micros: ms * 1000, fractionDigits: 3) }
}
