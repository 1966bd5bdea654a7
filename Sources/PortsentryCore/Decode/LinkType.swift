/// The link-layer framing in front of the IP header, as libpcap reports it (`pcap_datalink`).
public enum LinkType: Sendable, Hashable {
    /// `DLT_EN10MB`: Ethernet II, with up to two 802.1Q/802.1ad VLAN tags.
    case ethernet
    /// `DLT_RAW` / `LINKTYPE_RAW` / `DLT_IPV4` / `DLT_IPV6`: the IP header comes first.
    case rawIP
    /// `DLT_LINUX_SLL`: Linux cooked capture v1 (the `any` device), 16-byte header.
    case linuxSLL
    /// `DLT_LINUX_SLL2`: Linux cooked capture v2, 20-byte header.
    case linuxSLL2
    /// `DLT_NULL`: BSD loopback, a 4-byte address family in the capturing host's byte order.
    case null

    /// Maps a libpcap data-link type number; nil for framings we do not decode.
    public init?(dlt: Int32) {
        switch dlt {
        case 1: self = .ethernet
        case 12, 14, 101, 228, 229: self = .rawIP
        case 113: self = .linuxSLL
        case 276: self = .linuxSLL2
        case 0: self = .null
        default: return nil
        }
    }
}
