import PortsentryCore

/// Names and nft command text for the backend's own table (docs/nftables.md):
/// `table inet <NFT_TABLE>` with one timeout set and one named drop counter per address family,
/// and a base chain named after its hook. Addresses enter command text only as `IPAddress`
/// values, printed canonically, so nothing reaches libnftables' hostname resolution or parser
/// unchecked.
public struct NftLayout: Sendable, Hashable {
    public let table: String
    public let hook: NftHook
    /// Per-family element cap (`size` of each set).
    public let setSize: Int

    public init(table: String, hook: NftHook, setSize: Int) throws(NftError) {
        guard NftLayout.isIdentifier(table) else { throw .invalidName(table) }
        guard setSize > 0 else { throw .invalidSetSize(setSize) }
        self.table = table; self.hook = hook; self.setSize = setSize
    }

    public init(config: Config) throws(NftError) {
        try self.init(table: config.nftTable, hook: config.nftHook, setSize: config.nftSetSize)
    }

    /// The host set of a family: `banned_v4` / `banned_v6`.
    public func setName(_ family: AddressFamily) -> String { family == .inet ? "banned_v4" : "banned_v6" }
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
    /// The ban sets are `dynamic` (the kernel trap adds to them from the packet path). Sets made
    /// by an older version lack that flag and an `add set` that names other flags fails, so
    /// `dynamicSets: false` declares them as they were; `NftablesBackend` tries both.
    public func installScript(trap: KernelTrap?, dynamicSets: Bool = true) -> String {
        let priority = hook == .prerouting ? "raw" : "filter"
        let flags = dynamicSets ? "dynamic,timeout" : "timeout"
        var lines = ["add table inet \(table)"]
        for f in AddressFamily.allCases {
            lines.append("add set inet \(table) \(setName(f)) { type \(f == .inet ? "ipv4_addr" : "ipv6_addr"); flags \(flags); size \(setSize); }")
        }
        for f in AddressFamily.allCases { lines.append("add counter inet \(table) \(counterName(f))") }
        for name in NftLayout.chainNames {
            lines += ["add chain inet \(table) \(name)", "flush chain inet \(table) \(name)", "delete chain inet \(table) \(name)"]
        }
        lines.append("add chain inet \(table) \(chain) { type filter hook \(hook.rawValue) priority \(priority); policy accept; }")
        for f in AddressFamily.allCases {
            lines.append("add rule inet \(table) \(chain) \(f.nftName) saddr @\(setName(f)) counter name \"\(counterName(f))\" drop")
        }
        if let trap { lines += trapCommands(trap) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Adds elements, per family one statement; `timeoutMs` nil = no timeout.
    func addElements(_ items: [(address: IPAddress, timeoutMs: UInt64?)]) -> String {
        perFamily(items.map { item in
            (item.address, item.timeoutMs.map { "\(item.address) timeout \(max($0, 1))ms" } ?? "\(item.address)")
        }, verb: "add")
    }

    /// Deletes elements that may have expired in the kernel already: each delete follows an add
    /// of the same element, so a missing one does not fail the transaction, and the delete comes
    /// before any add that needs its room.
    func removeElements(_ addresses: [IPAddress]) -> String {
        addresses.isEmpty ? "" : addElements(addresses.map { ($0, nil) }) + deleteElements(addresses)
    }

    /// Deletes elements (each must exist, or the whole transaction fails).
    func deleteElements(_ addresses: [IPAddress]) -> String {
        perFamily(addresses.map { ($0, "\($0)") }, verb: "delete")
    }

    /// Empties both sets.
    var flushSets: String {
        AddressFamily.allCases.map { "flush set inet \(table) \(setName($0))\n" }.joined()
    }

    func listCounter(_ family: AddressFamily) -> String { "list counter inet \(table) \(counterName(family))" }


    private func perFamily(_ items: [(IPAddress, String)], verb: String) -> String {
        var out = ""
        for f in AddressFamily.allCases {
            let texts = items.lazy.filter { $0.0.family == f }.map(\.1)
            guard !texts.isEmpty else { continue }
            out += "\(verb) element inet \(table) \(setName(f)) { \(texts.joined(separator: ", ")) }\n"
        }
        return out
    }

    private static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, s.utf8.count <= 64,
              first.properties.isAlphabetic, first.isASCII else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }
}
