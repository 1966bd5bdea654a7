/// IPV4_BAN_PREFIX and IPV6_BAN_PREFIX: how wide a probe ban is, per family (docs/configuration.md
/// "Prefix bans"). A scanner that owns a /64 picks a fresh source address for every probe; a ban
/// of its /64 (and counting per /64) stops it, a ban of each address does not.
public struct BanPrefixes: Sendable, Hashable {
    /// IPV4_BAN_PREFIX, `shortest(.inet)`...32.
    public var v4: Int
    /// IPV6_BAN_PREFIX, `shortest(.inet6)`...128.
    public var v6: Int

    public init(v4: Int, v6: Int) { self.v4 = v4; self.v6 = v6 }

    /// The defaults: IPv4 hosts, IPv6 /64s (the network one customer or one server gets).
    public static let standard = BanPrefixes(v4: 32, v6: 64)
    /// Single hosts in both families (2.x's bans).
    public static let hosts = BanPrefixes(v4: 32, v6: 128)

    /// The shortest prefix any ban may have, probe, manual or fleet: IPv4 /8, IPv6 /16.
    public static func shortest(_ family: AddressFamily) -> Int { family == .inet ? 8 : 16 }

    /// Why nothing shorter than `shortest(family)` is banned, for error messages.
    public static func whyShortest(_ family: AddressFamily) -> String {
        family == .inet
            ? "a /8 is the largest block ever given to one organisation"
            : "a shorter prefix spans a regional registry's allocations, and one probe would ban a large part of the IPv6 Internet"
    }

    /// The configured length of `family`.
    public func length(_ family: AddressFamily) -> Int { family == .inet ? v4 : v6 }

    /// The network a probe from `address` bans (IPv4-mapped addresses taken as IPv4).
    public func prefix(of address: IPAddress) -> CIDR {
        let host = address.unmapped
        return CIDR(address: host, prefixLength: length(host.family))
    }
}
