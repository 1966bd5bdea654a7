/// A ban's length as written in BAN_TIME or `portsentry-ctl block --for`: plain seconds (`3600`),
/// or numbers with a unit `s`, `m`, `h`, `d`, also combined (`1h30m`). `0` means the ban never expires.
public struct BanDuration: Sendable, Hashable, CustomStringConvertible {
    /// Length in seconds; 0 = never expires.
    public var seconds: UInt64

    /// The longest timeout nftables accepts: 213503 days.
    public static let maximum = BanDuration(seconds: 213_503 * 86_400)

    public init(seconds: UInt64) { self.seconds = seconds }

    public var expires: Bool { seconds != 0 }

    public static func parse(_ text: String) throws(ValueError) -> BanDuration {
        let hint = "use seconds or numbers with s, m, h or d (90s, 10m, 24h, 7d, 1h30m), or 0 for no expiry"
        guard !text.isEmpty else { throw ValueError("empty duration; \(hint)") }
        var total: UInt64 = 0
        var number: UInt64? = nil
        var sawUnit = false
        for ch in text.unicodeScalars {
            if ("0"..."9").contains(ch) {
                let (times10, o1) = (number ?? 0).multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.addingReportingOverflow(UInt64(ch.value - 48))
                guard !o1, !o2 else { throw tooLong(text) }
                number = next
                continue
            }
            guard let unit = unitSeconds(ch) else {
                throw ValueError("\(text.quotedForMessage) is not a duration; \(hint)")
            }
            guard let n = number else {
                throw ValueError("\(text.quotedForMessage) is not a duration: a unit needs a number before it; \(hint)")
            }
            let (part, o1) = n.multipliedReportingOverflow(by: unit)
            let (sum, o2) = total.addingReportingOverflow(part)
            guard !o1, !o2 else { throw tooLong(text) }
            total = sum
            number = nil
            sawUnit = true
        }
        if let n = number {
            guard !sawUnit else {
                throw ValueError("\(text.quotedForMessage) is not a duration: the last number has no unit; \(hint)")
            }
            total = n
        }
        guard total <= maximum.seconds else { throw tooLong(text) }
        return BanDuration(seconds: total)
    }

    private static func unitSeconds(_ ch: Unicode.Scalar) -> UInt64? {
        switch ch {
        case "s": 1
        case "m": 60
        case "h": 3_600
        case "d": 86_400
        default: nil
        }
    }

    private static func tooLong(_ text: String) -> ValueError {
        ValueError("\(text.quotedForMessage) is longer than the maximum of 213503d; use a shorter duration, or 0 for no expiry")
    }

    /// Short text in the largest whole units: `0` (never), `90s`, `10m`, `1h30m`, `7d`.
    public var description: String {
        if seconds == 0 { return "0" }
        var rest = seconds
        var out = ""
        for (unit, size) in [("d", UInt64(86_400)), ("h", 3_600), ("m", 60), ("s", 1)] where rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        return out
    }
}
