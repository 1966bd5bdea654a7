import Glibc
import PortsentryCore

/// What made a source banned: the probe that triggered, or an administrator.
public struct BanTrigger: Sendable, Hashable {
    /// Protocol and port of the triggering probe; nil for a manual ban.
    public var proto: TransportProtocol?
    public var port: UInt16?
    /// The scan-line type text (`TCP SYN/Normal scan`, ...) or `manual`.
    public var type: String
    /// When it happened, wall-clock milliseconds since the Unix epoch.
    public var time: Int64

    public init(proto: TransportProtocol?, port: UInt16?, type: String, time: Int64) {
        self.proto = proto; self.port = port; self.type = type; self.time = time
    }

    /// The trigger of a probe event, stamped now.
    public init(event: ProbeEvent, time: Int64 = WallClock.nowMs()) {
        self.init(proto: event.proto, port: event.port, type: event.type.text, time: time)
    }

    /// A ban asked for by an administrator (portsentry-ctl), stamped now.
    public static func manual(time: Int64 = WallClock.nowMs()) -> BanTrigger {
        BanTrigger(proto: nil, port: nil, type: "manual", time: time)
    }
}

/// One live ban as the backend knows it.
public struct Ban: Sendable, Hashable {
    public var address: IPAddress
    /// Expiry, wall-clock milliseconds since the epoch; nil = never expires.
    public var expiresAt: Int64?
    /// The trigger of the first ban; nil when the ban was found in the kernel with no record.
    public var trigger: BanTrigger?
    /// Probes seen from the source since it was banned (already-banned events).
    public var hits: Int

    public init(address: IPAddress, expiresAt: Int64?, trigger: BanTrigger?, hits: Int = 0) {
        self.address = address; self.expiresAt = expiresAt; self.trigger = trigger; self.hits = hits
    }

    public var family: AddressFamily { address.family }

    /// Milliseconds left at `now`; nil = never expires; 0 once expired.
    public func timeLeftMs(at now: Int64 = WallClock.nowMs()) -> Int64? {
        expiresAt.map { max(0, $0 - now) }
    }

    func isLive(at now: Int64) -> Bool { expiresAt.map { $0 > now } ?? true }
}

/// Wall-clock time in milliseconds since the epoch (CLOCK_REALTIME): state-file and listing times.
public enum WallClock {
    public static func nowMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
