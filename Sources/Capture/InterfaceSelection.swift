import PortsentryCore

/// Which interfaces the pcap method captures on (`-i`).
public enum InterfaceSelection: Sendable, Hashable {
    /// `ALL`: every interface that is up, loopback included.
    case all
    /// `ALL_NLO` (default): every interface that is up except loopback.
    case allButLoopback
    /// `any`: libpcap's pseudo-device that captures on all interfaces at once.
    case any
    /// Interfaces named on the command line.
    case named([String])

    /// Parses the `-i` values; `ALL`, `ALL_NLO` and `any` must stand alone.
    public init(arguments: [String]) throws(CaptureError) {
        let keywords = ["ALL": InterfaceSelection.all, "ALL_NLO": .allButLoopback, "any": .any]
        if arguments.isEmpty { self = .allButLoopback; return }
        if arguments.count == 1, let k = keywords[arguments[0]] { self = k; return }
        if let k = arguments.first(where: { keywords[$0] != nil }) {
            throw CaptureError("-i \(k) cannot be combined with other interfaces; give it alone or list interface names")
        }
        if let bad = arguments.first(where: { !InterfaceName.isValid($0) }) {
            throw CaptureError("-i \"\(bad)\" is not a valid interface name")
        }
        self = .named(arguments)
    }
}
