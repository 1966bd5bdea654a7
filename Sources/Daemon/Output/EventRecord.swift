import Firewall
import PortsentryCore

/// One line of EVENT_LOG: a flat JSON object whose keys docs/events.md lists and
/// docs/event-log.schema.json describes. Absent fields are left out, never `null`.
struct EventRecord: Encodable, Hashable {
    /// Raised when a field changes meaning or goes away; new fields keep the version.
    static let schemaVersion = 1

    enum Kind: String, Encodable { case probe, ban, unban }

    var schema = EventRecord.schemaVersion
    /// When it happened, `UTCTimestamp` text.
    var time: String
    var kind: Kind
    /// The probe's source; the host a ban is about (omitted for a network banned by hand or by the fleet).
    var source: String?
    var destination: String?
    var port: UInt16?
    /// `tcp` or `udp`.
    var proto: String?
    var probeType: String?
    /// The TCP header's flag bits, FIN 0x01 … URG 0x20 (stealth TCP probes only).
    var tcpFlags: UInt8?
    /// Whether the IPv4 header carried options (omitted when unknown: IPv6, connect mode).
    var ipOptions: Bool?
    var interface: String?
    var mode: String?
    /// A probe's `ProbeResult`, or what became of a ban.
    var result: String?
    /// What a ban holds, in CIDR notation (`/32` or `/128` for a host).
    var target: String?
    var origin: String?
    /// The ban's length; 0 = no expiry.
    var durationSeconds: UInt64?
    var expires: String?
    var offence: Int?
    /// The reason given with `portsentry-ctl block --reason`.
    var comment: String?
    /// The fleet source of a fleet ban (`lapi:crowdsec`).
    var fleet: String?
    /// Why the ban policy refused a ban, as a code.
    var refusal: String?
    /// Why a ban failed or was refused, in words.
    var detail: String?
    /// Why a ban ended.
    var reason: String?

    init(time: String, kind: Kind) { self.time = time; self.kind = kind }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case schema, time, kind, source, destination, port
        case proto = "protocol"
        case probeType = "probe_type"
        case tcpFlags = "tcp_flags"
        case ipOptions = "ip_options"
        case interface, mode, result, target, origin
        case durationSeconds = "duration_seconds"
        case expires, offence, comment, fleet, refusal, detail, reason
    }
}
