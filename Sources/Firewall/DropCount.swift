/// Packets and bytes a backend's rules dropped, as its firewall counts them (nftables: the named
/// counters `dropped_v4` / `dropped_v6` of our table), since those counters were made.
public struct DropCount: Sendable, Hashable, Codable {
    public var packets: UInt64
    public var bytes: UInt64

    public init(packets: UInt64, bytes: UInt64) {
        self.packets = packets
        self.bytes = bytes
    }
}
