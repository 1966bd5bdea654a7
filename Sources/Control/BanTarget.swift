import PortsentryCore

/// A host or network named in a block or unblock request: `192.0.2.7`, `2001:db8::/64`.
public struct BanTarget: Hashable, Sendable, CustomStringConvertible {
    /// The network address (host bits are always zero).
    public let address: IPAddress
    /// Prefix length: 32 or 128 for a single host.
    public let prefixLength: Int

    /// Parses `ADDRESS` or `ADDRESS/PREFIX`. An IPv4-mapped IPv6 host becomes its IPv4 address.
    /// A network with host bits set is an error naming the network that was probably meant.
    public init(parsing text: String) throws(ControlError) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let parsed = IPAddress(parts[0]) else { throw .badAddress(text) }
        let width = parsed.family == .inet ? 32 : 128
        guard parts.count == 2 else {
            self.init(address: parsed.unmapped, prefixLength: parsed.unmapped.family == .inet ? 32 : 128)
            return
        }
        guard !parts[1].isEmpty, parts[1].count <= 3, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
              let prefix = Int(parts[1]), prefix <= width else { throw .badAddress(text) }
        let network = parsed.masked(to: prefix)
        guard network == parsed else { throw .hostBitsSet(text, network: "\(network)/\(prefix)") }
        self.init(address: network, prefixLength: prefix)
    }

    /// A single host.
    public init(host: IPAddress) {
        self.init(address: host, prefixLength: host.family == .inet ? 32 : 128)
    }

    private init(address: IPAddress, prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Whether the target is one address rather than a network.
    public var isHost: Bool { prefixLength == (address.family == .inet ? 32 : 128) }

    /// Whether `host` lies inside the target (IPv4-mapped IPv6 hosts count as IPv4).
    public func contains(_ host: IPAddress) -> Bool {
        let host = host.unmapped
        return host.family == address.family && host.masked(to: prefixLength) == address
    }

    public var description: String { isHost ? "\(address)" : "\(address)/\(prefixLength)" }
}

extension IPAddress {
    /// The address with every bit after the first `prefix` bits cleared.
    func masked(to prefix: Int) -> IPAddress {
        func keep(_ bits: Int, of width: Int) -> UInt64 {
            bits <= 0 ? 0 : bits >= width ? ~0 : ~0 << UInt64(width - bits)
        }
        switch self {
        case .v4(let a):
            return .v4(a & UInt32(truncatingIfNeeded: keep(prefix, of: 32)))
        case .v6(let h, let l):
            return .v6(high: h & keep(prefix, of: 64), low: l & keep(prefix - 64, of: 64))
        }
    }
}
