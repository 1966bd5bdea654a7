/// Addresses and networks whose probes are never acted on (IGNORE_FILE).
///
/// Lookup costs one hash probe per distinct prefix length in the list (at most 33 for IPv4,
/// 129 for IPv6), whatever the number of entries. Reading the file: see `IgnoreList.parse`.
public struct IgnoreList: Sendable, Hashable {
    public static let empty = IgnoreList()

    /// Every entry, sorted, without duplicates.
    public private(set) var entries: [CIDR] = []
    private var v4 = PrefixTable()
    private var v6 = PrefixTable()

    public init() {}

    public init<S: Sequence>(_ networks: S) where S.Element == CIDR {
        entries = Set(networks).sorted()
        for cidr in entries {
            if cidr.network.family == .inet {
                v4.insert(cidr)
            } else {
                v6.insert(cidr)
            }
        }
    }

    /// Whether `address` (IPv4-mapped IPv6 matched as IPv4) is covered by an entry.
    public func contains(_ address: IPAddress) -> Bool {
        let a = address.unmapped
        return (a.family == .inet ? v4 : v6).covers(a)
    }

    /// An entry that shares an address with `network` (contains it or lies inside it), if any:
    /// one hash probe per shorter prefix length, a scan of the longer entries.
    public func overlap(with network: CIDR) -> CIDR? {
        (network.family == .inet ? v4 : v6).overlap(with: network)
    }

    /// This list with every entry of `other` added.
    public func merging(_ other: IgnoreList) -> IgnoreList {
        IgnoreList(entries + other.entries)
    }
}

/// Networks of one family grouped by prefix length, each group a hash set of network addresses.
private struct PrefixTable: Sendable, Hashable {
    private var groups: [Int: Set<IPAddress>] = [:]
    /// The prefix lengths present, longest first.
    private var lengths: [Int] = []

    mutating func insert(_ cidr: CIDR) {
        if groups[cidr.prefixLength] == nil {
            lengths.append(cidr.prefixLength)
            lengths.sort(by: >)
        }
        groups[cidr.prefixLength, default: []].insert(cidr.network)
    }

    /// A stored network that contains `network` or lies inside it (of this table's family).
    func overlap(with network: CIDR) -> CIDR? {
        for length in lengths {
            guard let group = groups[length] else { continue }
            if length <= network.prefixLength {
                let candidate = CIDR(address: network.network, prefixLength: length)
                if group.contains(candidate.network) { return candidate }
            } else if let inside = group.first(where: { network.contains($0) }) {
                return CIDR(address: inside, prefixLength: length)
            }
        }
        return nil
    }

    /// Whether some stored network contains `address` (of this table's family).
    func covers(_ address: IPAddress) -> Bool {
        lengths.contains { groups[$0]?.contains(CIDR.mask(address, $0)) == true }
    }
}
