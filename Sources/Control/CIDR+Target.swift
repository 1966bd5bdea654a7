import PortsentryCore

extension CIDR {
    /// Parses a block or unblock target, `192.0.2.7` or `2001:db8::/64`, strictly: a network
    /// written with host bits set is an error naming the network that was probably meant.
    public init(target text: String) throws(ControlError) {
        let parsed: (cidr: CIDR, hadHostBits: Bool)
        do {
            parsed = try CIDR.parse(text)
        } catch {
            throw .badAddress(text)
        }
        guard !parsed.hadHostBits else { throw .hostBitsSet(text, network: "\(parsed.cidr)") }
        self = parsed.cidr
    }
}
