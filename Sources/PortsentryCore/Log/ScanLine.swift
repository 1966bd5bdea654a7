/// The four flags of a scan line; nil prints as `unset` (an earlier rule stopped the event).
public struct ScanOutcome: Sendable, Hashable {
    public var ignored: Bool?
    public var triggered: Bool?
    public var noblock: Bool?
    public var blocked: Bool?

    public init(ignored: Bool? = nil, triggered: Bool? = nil, noblock: Bool? = nil, blocked: Bool? = nil) {
        self.ignored = ignored; self.triggered = triggered; self.noblock = noblock; self.blocked = blocked
    }
}

/// The exact log texts of portsentry 2.x (docs/daemon.md "Output"), built in one place.
public enum LogLine {
    static func flag(_ b: Bool?) -> String { b.map { $0 ? "true" : "false" } ?? "unset" }

    /// `Scan from: [...] ... blocked: [...]`; `hostName` is the resolved name or the address text.
    public static func scan(_ e: ProbeEvent, hostName: String, outcome o: ScanOutcome) -> String {
        "Scan from: [\(e.source)] (\(hostName)) protocol: [\(e.proto.rawValue)] port: [\(e.port)] type: [\(e.type.text)] IP opts: [\(e.ipOptions.rawValue)] ignored: [\(flag(o.ignored))] triggered: [\(flag(o.triggered))] noblock: [\(flag(o.noblock))] blocked: [\(flag(o.blocked))]"
    }

    public static let active = "Portsentry is now active and listening."
    public static let shuttingDown = "Portsentry is shutting down"

    public static func listening(_ proto: TransportProtocol, port: UInt16) -> String {
        "Listen on AF_INET6: \(proto.rawValue) port: \(port)"
    }
    public static func blockedViaWrappers(_ ip: IPAddress, line: String) -> String {
        "attackalert: Host \(ip) has been blocked via wrappers with string: \"\(line)\""
    }
    public static func blockedViaRoute(_ ip: IPAddress, command: String) -> String {
        "attackalert: Host \(ip) has been blocked via dropped route using command: \"\(command)\""
    }
    /// nftables backend: `attackalert: Host <ip> has been blocked via nftables set inet <table> <set> for <duration>`
    /// (duration as in BAN_TIME, `ever` when the ban does not expire).
    /// `byKernel`: the kernel trap made the ban, on the probe's own packet (KERNEL_BAN).
    /// A prefix ban names the host whose probe made it and ends in `(prefix <cidr>)`; one
    /// without such a host (manual, fleet) reads `Network <cidr> has been blocked ...`.
    public static func blockedViaNftables(_ target: CIDR, source: IPAddress? = nil, table: String, set: String,
                                          duration: BanDuration, byKernel: Bool = false) -> String {
        let who = target.isHost ? "Host \(target)" : source.map { "Host \($0)" } ?? "Network \(target)"
        return "attackalert: \(who) has been blocked via nftables set inet \(table) \(set) for \(duration.expires ? duration.description : "ever")"
            + (!target.isHost && source != nil ? " (prefix \(target))" : "")
            + (byKernel ? " (by the kernel, on the probe's own packet)" : "")
    }
    /// A ban the policy refused: `attackalert: Host <ip> is protected (<reason>), not blocked`.
    public static func protected(_ ip: IPAddress, reason: String) -> String {
        "attackalert: Host \(ip) is protected (\(reason)), not blocked"
    }
    /// Dry run: `attackalert: Dry run: host <ip> would have been blocked via <nftables|route|wrappers>`
    /// (`network <cidr>` for a prefix).
    public static func dryRun(_ target: CIDR, via method: String) -> String {
        "attackalert: Dry run: \(target.isHost ? "host" : "network") \(target) would have been blocked via \(method)"
    }
    public static func externalCommand(_ ip: IPAddress, command: String) -> String {
        "attackalert: External command run for host: \(ip) using command: \"\(command)\""
    }
    /// `hostName` is the resolved name (RESOLVE_HOST=1) or the address text.
    public static func alreadyBlocked(_ ip: IPAddress, hostName: String) -> String {
        "attackalert: Host: \(hostName)/\(ip) is already blocked Ignoring"
    }
    public static func disposeError(_ ip: IPAddress, hostName: String) -> String {
        "attackalert: Error during target dispose \(hostName)/\(ip)!"
    }
    public static func ignoredByFile(_ ip: IPAddress, path: String) -> String {
        "Host: \(ip) found in ignore file \(path), aborting actions"
    }
    public static func selfTraffic(source: IPAddress, destination: IPAddress) -> String {
        "Source address \(source) same as destination address \(destination), skipping"
    }
    /// With `-v`: a datagram that answers a flow this host opened (connection tracking).
    public static func ownFlowReply(_ ip: IPAddress, port: UInt16) -> String {
        "Ignoring packet from \(ip) to destination port \(port), a reply to a flow this host opened"
    }
    public static func serviceRunning(_ ip: IPAddress, port: UInt16) -> String {
        "Ignoring packet from \(ip) to destination port \(port), a service is running"
    }
}
