/// How stealth mode captures packets (`-m pcap|raw`).
public enum CaptureMethod: String, Sendable, Hashable {
    /// libpcap, one handle per selected interface, with a BPF filter per interface.
    case pcap
    /// One Linux AF_PACKET socket for every interface, filtered in Swift.
    case raw
}
