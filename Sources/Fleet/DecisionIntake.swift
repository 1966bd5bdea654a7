import PortsentryCore

/// What one stream answer asks of this host, item by item: the pure half of the bouncer. A
/// malformed, unknown or hostile item is counted and skipped, never the batch.
struct DecisionIntake {
    /// A fleet ban to rule on and apply: the host or range, its remaining seconds, its source tag.
    struct FleetBan: Hashable { var id: Int64?; var target: CIDR; var seconds: UInt64; var source: String }
    /// A deleted decision: its id (when given) and host or range.
    struct Deletion: Hashable { var id: Int64?; var target: CIDR }

    var deletions: [Deletion] = []
    var bans: [FleetBan] = []
    /// Hosts of our own decisions come back (self-echo).
    var echoes: [IPAddress] = []
    /// Why items were rejected (malformed, invalid value, bad duration), one line each.
    var invalid: [String] = []
    /// Items of a type or scope we do not apply (captcha, Country ...), or of an origin not asked for.
    var ignored = 0

    /// The most items read from one list of an answer; the rest count as invalid.
    static let maxItems = 200_000

    /// Reads `answer` received at `now`: deleted first, then new.
    init(_ answer: StreamAnswer, ourOrigin: String, origins: [String], ledger: PushLedger, now: Int64 = WallClock.nowMs()) {
        for item in Self.capped(answer.deleted, "deleted", &invalid) {
            guard let d = decision(item), let target = target(d) else { continue }
            deletions.append(Deletion(id: d.id, target: target))
        }
        for item in Self.capped(answer.new, "new", &invalid) {
            guard let d = decision(item), let target = target(d) else { continue }
            if !origins.isEmpty, !origins.contains(d.origin) { ignored += 1; continue }
            guard let seconds = GoDuration.seconds(d.duration), seconds.isFinite else {
                invalid.append("decision \(Self.label(d)): duration \(d.duration.prefix(40).debugDescription) is not a Go duration"); continue
            }
            guard seconds >= 1 else {
                invalid.append("decision \(Self.label(d)): duration \(d.duration.prefix(40)) is under one second"); continue
            }
            let whole = UInt64(min(seconds.rounded(.down), Double(BanDuration.maximum.seconds)))
            if d.origin == ourOrigin, target.isHost, ledger.isOurs(target.network, expiresAt: now + Int64(whole) * 1000) {
                echoes.append(target.network); continue
            }
            bans.append(FleetBan(id: d.id, target: target, seconds: whole, source: Self.source(d)))
        }
    }

    /// The decision in `item`, if it is a readable ban; otherwise counted.
    private mutating func decision(_ item: StreamAnswer.Item) -> StreamDecision? {
        switch item {
        case .malformed(let why): invalid.append("malformed decision: \(why)"); return nil
        case .decision(let d):
            guard d.type.lowercased() == "ban" else { ignored += 1; return nil }
            return d
        }
    }

    /// What a decision bans. The one place scopes are handled: `Ip` is a host; `Range` is a
    /// prefix ban (never shrunk to one address: the ban policy refuses a range too wide or
    /// holding a protected address); other scopes are not ours to apply.
    private mutating func target(_ d: StreamDecision) -> CIDR? {
        switch d.scope.lowercased() {
        case "ip":
            guard let address = IPAddress(d.value) else {
                invalid.append("decision \(Self.label(d)): \(d.value.prefix(60).debugDescription) is not an IP address"); return nil
            }
            return CIDR(host: address)
        case "range":
            guard d.value.contains("/"), let range = try? CIDR.parse(d.value).cidr else {
                invalid.append("decision \(Self.label(d)): \(d.value.prefix(60).debugDescription) is not a range (CIDR)"); return nil
            }
            return range
        default:
            ignored += 1
            return nil
        }
    }

    /// `lapi:<origin>` (`lapi:lists:<scenario>` for blocklists), printable and short.
    static func source(_ d: StreamDecision) -> String {
        let tag = d.origin == "lists" ? "lists:\(d.scenario ?? "")" : d.origin
        let clean = String(tag.unicodeScalars.filter { $0.value > 0x20 && $0.value < 0x7f && $0 != "\\" }.prefix(64).map(Character.init))
        return "lapi:" + (clean.isEmpty ? "unknown" : clean)
    }

    private static func label(_ d: StreamDecision) -> String { d.id.map { "#\($0)" } ?? "(no id)" }

    private static func capped(_ items: [StreamAnswer.Item], _ name: String, _ invalid: inout [String]) -> ArraySlice<StreamAnswer.Item> {
        if items.count > maxItems { invalid.append("\(name) holds \(items.count) decisions; only the first \(maxItems) are read") }
        return items.prefix(maxItems)
    }
}
