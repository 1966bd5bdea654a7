import PortsentryCore

/// Names and nft command text for the backend's own table (docs/nftables.md):
/// `table inet <NFT_TABLE>` with one host set and one named drop counter per address family, a
/// hash set of network addresses per prefix length in use (`banned_v6_64`, matched through a
/// mask: no interval sets), and a base chain named after its hook. Addresses enter command text
/// only as `IPAddress` values, printed canonically, so nothing reaches libnftables' hostname
/// resolution or parser unchecked.
public struct NftLayout: Sendable, Hashable {
    public let table: String
    public let hook: NftHook
    /// Per-family element cap (`size` of each set; hosts and prefixes of a family together).
    public let setSize: Int
    /// The prefix sets made at every install: IPV4/IPV6_BAN_PREFIX when shorter than a host.
    public let configuredPrefixes: Set<PrefixLength>

    public init(table: String, hook: NftHook, setSize: Int, prefixes: BanPrefixes = .hosts) throws(NftError) {
        guard NftLayout.isIdentifier(table) else { throw .invalidName(table) }
        guard setSize > 0 else { throw .invalidSetSize(setSize) }
        self.table = table; self.hook = hook; self.setSize = setSize
        configuredPrefixes = Set(AddressFamily.allCases.map { PrefixLength($0, prefixes.length($0)) }.filter { !$0.isHost })
    }

    public init(config: Config) throws(NftError) {
        try self.init(table: config.nftTable, hook: config.nftHook, setSize: config.nftSetSize, prefixes: config.banPrefixes)
    }

    /// The host set of a family: `banned_v4` / `banned_v6`.
    public func setName(_ family: AddressFamily) -> String { family == .inet ? "banned_v4" : "banned_v6" }
    /// The set a ban goes into: its family's host set, or the prefix set of its length (`banned_v6_64`).
    public func setName(_ target: CIDR) -> String { setName(PrefixLength(target)) }
    /// The set of a prefix length: `banned_v6_64`, or the family's host set for a host's length.
    public func setName(_ prefix: PrefixLength) -> String { prefix.isHost ? setName(prefix.family) : "\(setName(prefix.family))_\(prefix.length)" }

    /// The kernel trap's set of a family: `trapped_v4` / `trapped_v6`. Only the packet path adds
    /// to it (KERNEL_BAN); the daemon records each of its bans in the ban sets and only ever
    /// deletes from it, so the kernel's `size` check holds exactly (docs/nftables.md, "Banning in
    /// the packet path").
    public func trapSetName(_ family: AddressFamily) -> String { family == .inet ? "trapped_v4" : "trapped_v6" }

    /// The prefix set a set name names (`banned_v6_64`), nil for host sets and other names.
    public func prefixLength(ofSet name: String) -> PrefixLength? {
        for f in AddressFamily.allCases where name.hasPrefix(setName(f) + "_") {
            guard let n = Int(name.dropFirst(setName(f).count + 1)), (1..<f.width).contains(n) else { return nil }
            return PrefixLength(f, n)
        }
        return nil
    }
    /// The named counter of dropped packets and bytes of a family: `dropped_v4` / `dropped_v6`.
    public func counterName(_ family: AddressFamily) -> String { family == .inet ? "dropped_v4" : "dropped_v6" }
    /// The base chain, named after its hook.
    public var chain: String { hook.rawValue }

    /// The default install (no kernel trap), as nft/portsentry.nft holds it.
    public var installScript: String { installScript(trap: nil) }

    /// Creates whatever is missing and leaves set elements alone. Every chain of ours is removed
    /// and the configured ones are created afresh with their rules, all in one transaction:
    /// loading it twice leaves one copy of each rule, a chain someone emptied or replaced is
    /// repaired, a changed NFT_HOOK or kernel trap takes effect, and nothing is ever missing in
    /// between. A set whose size differs is resized.
    ///
    /// `prefixes`: the prefix sets to match (the configured ones and those of live bans; nil =
    /// the configured ones); each gets its rule after the host rules, before the kernel trap's,
    /// and its set is created if missing.
    ///
    /// The trap sets (`trapSetName`) are always there, with their drop rules after those of the
    /// ban sets, and empty without a kernel trap. The ban sets are `dynamic` as an older version's
    /// trap added to them; sets made before that lack the flag and an `add set` that names other
    /// flags fails, so `dynamicSets: false` declares them as they were; `NftablesBackend` tries both.
    public func installScript(trap: KernelTrap?, prefixes: Set<PrefixLength>? = nil, dynamicSets: Bool = true) -> String {
        let priority = hook == .prerouting ? "raw" : "filter"
        let flags = dynamicSets ? "dynamic,timeout" : "timeout"
        let prefixes = (prefixes ?? configuredPrefixes).sorted()
        var lines = ["add table inet \(table)"]
        func addSet(_ name: String, _ family: AddressFamily, flags: String) -> String {
            "add set inet \(table) \(name) { type \(family == .inet ? "ipv4_addr" : "ipv6_addr"); flags \(flags); size \(setSize); }"
        }
        lines += AddressFamily.allCases.map { addSet(setName($0), $0, flags: flags) }
        // Prefix sets are this version's own: always dynamic.
        lines += prefixes.map { addSet(setName($0), $0.family, flags: "dynamic,timeout") }
        lines += AddressFamily.allCases.map { addSet(trapSetName($0), $0, flags: "dynamic,timeout") }
        for f in AddressFamily.allCases { lines.append("add counter inet \(table) \(counterName(f))") }
        for name in NftLayout.chainNames {
            lines += ["add chain inet \(table) \(name)", "flush chain inet \(table) \(name)", "delete chain inet \(table) \(name)"]
        }
        lines.append("add chain inet \(table) \(chain) { type filter hook \(hook.rawValue) priority \(priority); policy accept; }")
        for f in AddressFamily.allCases {
            lines.append("add rule inet \(table) \(chain) \(f.nftName) saddr @\(setName(f)) counter name \"\(counterName(f))\" drop")
        }
        for p in prefixes {
            lines.append("add rule inet \(table) \(chain) \(p.family.nftName) saddr & \(p.netmask) @\(setName(p)) counter name \"\(counterName(p.family))\" drop")
        }
        for f in AddressFamily.allCases {
            lines.append("add rule inet \(table) \(chain) \(f.nftName) saddr @\(trapSetName(f)) counter name \"\(counterName(f))\" drop")
        }
        if let trap { lines += trapCommands(trap) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Adds elements, per set one statement; `timeoutMs` nil = no timeout. A prefix's element
    /// is its network address.
    func addElements(_ items: [(target: CIDR, timeoutMs: UInt64?)]) -> String {
        perSet(items.map { item in
            (item.target, item.timeoutMs.map { "\(item.target.network) timeout \(max($0, 1))ms" } ?? "\(item.target.network)")
        }, verb: "add")
    }

    /// Deletes elements that may have expired in the kernel already: each delete follows an add
    /// of the same element, so a missing one does not fail the transaction, and the delete comes
    /// before any add that needs its room.
    func removeElements(_ targets: [CIDR]) -> String {
        targets.isEmpty ? "" : addElements(targets.map { ($0, nil) }) + deleteElements(targets)
    }

    /// Deletes elements (each must exist, or the whole transaction fails).
    func deleteElements(_ targets: [CIDR]) -> String {
        perSet(targets.map { ($0, "\($0.network)") }, verb: "delete")
    }

    /// Empties both host sets, the prefix sets `prefixes` and the trap sets.
    func flushSets(prefixes: Set<PrefixLength>) -> String {
        (AddressFamily.allCases.map(setName) + prefixes.sorted().map(setName) + AddressFamily.allCases.map(trapSetName))
            .map { "flush set inet \(table) \($0)\n" }.joined()
    }

    /// Deletes addresses from their family's trap set (each must be there, or the whole
    /// transaction fails: a trap set is never added to from here).
    func deleteTrapElements(_ addresses: [IPAddress]) -> String {
        Dictionary(grouping: addresses, by: \.family).sorted { $0.key == .inet && $1.key != .inet }.map { family, group in
            "delete element inet \(table) \(trapSetName(family)) { \(group.map(\.description).joined(separator: ", ")) }\n"
        }.joined()
    }

    /// One statement per set, host sets first, in a fixed order.
    private func perSet(_ items: [(CIDR, String)], verb: String) -> String {
        var groups: [PrefixLength: [String]] = [:]
        for (target, text) in items { groups[PrefixLength(target), default: []].append(text) }
        return groups.keys.sorted { ($0.isHost ? 0 : 1, $0) < ($1.isHost ? 0 : 1, $1) }.map { key in
            "\(verb) element inet \(table) \(setName(key)) { \(groups[key]!.joined(separator: ", ")) }\n"
        }.joined()
    }

    private static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, s.utf8.count <= 64,
              first.properties.isAlphabetic, first.isASCII else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }
}

/// A family and a prefix length: which ban set an element belongs in (`banned_v6_64`; the full
/// width is the family's host set).
public struct PrefixLength: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let family: AddressFamily
    public let length: Int

    public init(_ family: AddressFamily, _ length: Int) { self.family = family; self.length = length }
    public init(_ target: CIDR) { self.init(target.family, target.prefixLength) }

    public var isHost: Bool { length == family.width }
    /// `255.255.255.0`, `ffff:ffff:ffff:ffff::`.
    public var netmask: IPAddress { CIDR(address: family == .inet ? .v4(0) : .v6(high: 0, low: 0), prefixLength: length).netmask }
    public var description: String { "IPv\(family == .inet ? 4 : 6) /\(length)" }

    public static func < (a: PrefixLength, b: PrefixLength) -> Bool {
        (a.family == .inet ? 0 : 1, a.length) < (b.family == .inet ? 0 : 1, b.length)
    }
}
