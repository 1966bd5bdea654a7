/// An IPv4 or IPv6 network: an address with its host bits cleared and a prefix length.
public struct CIDR: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let network: IPAddress
    /// 0...32 for IPv4, 0...128 for IPv6.
    public let prefixLength: Int

    /// The network of `address` with `prefixLength` bits (clamped to the family's width).
    /// An IPv4-mapped IPv6 network of /96 or longer becomes the IPv4 network it covers.
    public init(address: IPAddress, prefixLength: Int) {
        var address = address
        var length = prefixLength
        if case .v6 = address, address.unmapped != address, length >= 96 {
            address = address.unmapped
            length -= 96
        }
        self.prefixLength = min(max(length, 0), address.family.width)
        self.network = CIDR.mask(address, self.prefixLength)
    }

    /// A single host (an IPv4-mapped IPv6 address becomes its IPv4 address).
    public init(host: IPAddress) {
        self.init(address: host.unmapped, prefixLength: host.unmapped.family.width)
    }

    /// Parses `address` or `address/length` (decimal length, no sign). The result says
    /// whether host bits were set in the text (they are cleared in `network`).
    public static func parse(_ text: some StringProtocol) throws(ValueError) -> (cidr: CIDR, hadHostBits: Bool) {
        try parse(substring: Substring(text))   // not generic inside: other modules call it unspecialized
    }

    private static func parse(substring text: Substring) throws(ValueError) -> (cidr: CIDR, hadHostBits: Bool) {
        // Split at the first "/" as bytes: a split of Characters cost more than the parse (a state
        // file of 100,000 bans parses its addresses here).
        let slash = text.utf8.firstIndex(of: UInt8(ascii: "/"))
        let addressText = slash.map { text[..<$0] } ?? text[...]
        guard let address = IPAddress(addressText) else {
            throw ValueError("\(String(addressText).quotedForMessage) is not an IP address; write an address like 192.0.2.7 or 2001:db8::7, optionally with /prefix (host names are not allowed)")
        }
        let width = address.family.width
        var length = width
        if let slash {
            let digits = text[text.utf8.index(after: slash)...]
            guard !digits.isEmpty, digits.count <= 3, digits.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }),
                  let n = Int(digits), n <= width else {
                throw ValueError("\(String(digits).quotedForMessage) is not a prefix length; use /0 to /\(width) after an IPv\(width == 32 ? 4 : 6) address")
            }
            length = n
        }
        let cidr = CIDR(address: address, prefixLength: length)
        let written = cidr.network.family == address.family ? address : address.unmapped
        return (cidr, cidr.network != written)
    }

    /// Whether the network is a single address.
    public var isHost: Bool { prefixLength == network.family.width }

    public var family: AddressFamily { network.family }

    /// Whether `address` (IPv4-mapped IPv6 taken as IPv4) is inside this network.
    public func contains(_ address: IPAddress) -> Bool {
        let a = address.unmapped
        return a.family == network.family && CIDR.mask(a, prefixLength) == network
    }

    /// Whether `other` lies wholly inside this network (or is it).
    public func contains(_ other: CIDR) -> Bool {
        other.prefixLength >= prefixLength && contains(other.network)
    }

    /// Whether the two networks share an address: one of them contains the other.
    public func overlaps(_ other: CIDR) -> Bool { contains(other) || other.contains(self) }

    /// The netmask of the prefix as an address (`255.255.240.0`, `ffff:ffff:ffff::`).
    public var netmask: IPAddress {
        CIDR.mask(network.family == .inet ? .v4(~0) : .v6(high: ~0, low: ~0), prefixLength)
    }

    /// `address` with all but the first `length` bits cleared.
    static func mask(_ address: IPAddress, _ length: Int) -> IPAddress {
        switch address {
        case .v4(let a):
            return .v4(length == 0 ? 0 : a & ~UInt32(0) << UInt32(32 - length))
        case .v6(let h, let l):
            if length <= 64 {
                return .v6(high: length == 0 ? 0 : h & ~UInt64(0) << UInt64(64 - length), low: 0)
            }
            return .v6(high: h, low: length == 128 ? l : l & ~UInt64(0) << UInt64(128 - length))
        }
    }

    /// `a.b.c.d/n` or `x::/n`; a single host prints without the length.
    public var description: String {
        isHost ? "\(network)" : "\(network)/\(prefixLength)"
    }

    public static func < (a: CIDR, b: CIDR) -> Bool {
        (a.network, a.prefixLength) < (b.network, b.prefixLength)
    }
}
