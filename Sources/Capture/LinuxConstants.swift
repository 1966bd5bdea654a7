import Glibc

/// Linux constants and layouts from <linux/if_packet.h>, <linux/if_ether.h>, <linux/netlink.h>,
/// <linux/rtnetlink.h> and <asm/socket.h> that Swift's Glibc module does not import.
enum Linux {
    static let netlinkRoute: Int32 = 0
    static let rtmgrpLink: UInt32 = 0x1
    static let rtmgrpIPv4Address: UInt32 = 0x10
    static let rtmgrpIPv6Address: UInt32 = 0x100

    /// `struct sockaddr_nl`.
    struct NetlinkAddress {
        var family = sa_family_t(AF_NETLINK)
        var pad: UInt16 = 0
        var pid: UInt32 = 0
        var groups: UInt32 = 0
    }

    static let ethPAll = 0x0003
    static let solPacket: Int32 = 263
    static let packetRxRing: Int32 = 5
    static let packetStatistics: Int32 = 6
    static let packetVersion: Int32 = 10
    static let packetIgnoreOutgoing: Int32 = 23
    static let tpacketV2 = 1
    static let tpStatusKernel: UInt32 = 0
    static let tpStatusUser: UInt32 = 1
    static let packetOutgoing: UInt8 = 4
    static let soAttachFilter: Int32 = 26
    /// TPACKET_ALIGN(sizeof(struct tpacket2_hdr)): where the `sockaddr_ll` of a frame starts.
    static let tpacket2HeaderBytes = 32
}
