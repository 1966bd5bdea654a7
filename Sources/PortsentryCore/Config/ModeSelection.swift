/// portsentry 1.x mode flags: `-tcp`/`-udp` (connect mode), `-stcp`/`-sudp` (stealth),
/// `-atcp`/`-audp` (stealth, advanced: every port up to ADVANCED_PORTS_*).
public enum LegacyModeFlag: String, CaseIterable, Sendable, Hashable {
    case tcp, stcp, atcp, udp, sudp, audp

    public var proto: TransportProtocol { [.tcp, .stcp, .atcp].contains(self) ? .tcp : .udp }
    public var mode: SentryMode { self == .tcp || self == .udp ? .connect : .stealth }
    public var isAdvanced: Bool { self == .atcp || self == .audp }
    /// How the flag is written on the command line.
    public var spelling: String { "-" + rawValue }
}

/// The sentry mode and watched ports that the command line's mode flags ask for.
public struct ModeSelection: Sendable, Hashable {
    public var mode: SentryMode
    public var watch: PortWatch

    public init(mode: SentryMode = .stealth, watch: PortWatch = .standard) {
        self.mode = mode; self.watch = watch
    }

    /// Combines `--stealth`/`--connect` (at most one, given once) with legacy flags (at most one
    /// per protocol, all in one mode, agreeing with an explicit `--stealth`/`--connect`).
    /// Without legacy flags both protocols are watched with their configured port lists.
    public static func resolve(explicit: [SentryMode], legacy: [LegacyModeFlag]) throws(ValueError) -> ModeSelection {
        if explicit.count > 1 {
            throw ValueError(Set(explicit).count == 1
                ? "--\(explicit[0].rawValue) was given more than once; give it once"
                : "--stealth and --connect cannot be used together; choose one")
        }
        guard let first = legacy.first else { return ModeSelection(mode: explicit.first ?? .stealth) }
        for proto in [TransportProtocol.tcp, .udp] {
            let flags = legacy.filter { $0.proto == proto }
            if flags.count > 1 {
                throw ValueError("\(flags.map(\.spelling).joined(separator: " and ")) both set the \(proto.rawValue) mode; give only one of them")
            }
        }
        if let other = legacy.first(where: { $0.mode != first.mode }) {
            throw ValueError("\(first.spelling) watches in \(first.mode.rawValue) mode but \(other.spelling) in \(other.mode.rawValue) mode; combine -tcp with -udp, or -stcp/-atcp with -sudp/-audp")
        }
        if let mode = explicit.first, mode != first.mode {
            throw ValueError("--\(mode.rawValue) conflicts with \(first.spelling), which means \(first.mode.rawValue) mode; drop one of them")
        }
        return ModeSelection(mode: first.mode,
                             watch: PortWatch(protocols: Set(legacy.map(\.proto)),
                                              advanced: Set(legacy.filter(\.isAdvanced).map(\.proto))))
    }
}
