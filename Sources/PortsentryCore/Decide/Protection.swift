/// Why an address may never be banned, whatever asks for it (a probe, portsentry-ctl with
/// `--force`, a saved ban, a fleet ban).
public enum ProtectionReason: String, Sendable, Hashable, CaseIterable, Codable {
    case localAddress = "local address"
    case defaultGateway = "default gateway"
    case resolver
    case sshSession = "ssh session"
    /// PROTECT or PROTECT_FILE.
    case configured = "PROTECT"
}

/// The protected addresses at one moment, by reason: what the ban policy consults and
/// `portsentry-ctl protected` lists. Lookup costs one hash probe per prefix length per reason.
public struct ProtectedAddresses: Sendable, Hashable {
    /// Every protected network, by reason (sorted, without repeats).
    public private(set) var entries: [ProtectionReason: [CIDR]] = [:]
    private var lists: [(ProtectionReason, IgnoreList)] = []

    public static let empty = ProtectedAddresses()

    public init() {}

    /// The networks of each reason; the first reason that covers an address is the one reported.
    public init(_ networks: [ProtectionReason: [CIDR]]) {
        for reason in ProtectionReason.allCases {
            guard let cidrs = networks[reason], !cidrs.isEmpty else { continue }
            let list = IgnoreList(cidrs)
            entries[reason] = list.entries
            lists.append((reason, list))
        }
    }

    /// Why `address` (IPv4-mapped taken as IPv4) is protected, if it is.
    public func reason(for address: IPAddress) -> ProtectionReason? {
        lists.first { $0.1.contains(address) }?.0
    }

    /// A protected network that shares an address with `network`, and why it is protected.
    public func overlap(with network: CIDR) -> (CIDR, ProtectionReason)? {
        for (reason, list) in lists { if let hit = list.overlap(with: network) { return (hit, reason) } }
        return nil
    }

    public static func == (a: ProtectedAddresses, b: ProtectedAddresses) -> Bool { a.entries == b.entries }
    public func hash(into hasher: inout Hasher) { hasher.combine(entries) }
}

/// Where the ban policy learns what is protected now. The daemon's is kept current (interfaces,
/// routes and resolver files watched); portsentry-ctl's offline one is read once.
public protocol ProtectionSource: Sendable {
    /// Why `address` is protected now, if it is (may ask the kernel: the SSH-session check).
    func protection(of address: IPAddress) -> ProtectionReason?
    /// What is protected now (SSH sessions are checked per ban, so they are not listed).
    func snapshot() -> ProtectedAddresses
    /// A protected network or address inside `network` or containing it, and why (a prefix ban
    /// that would hit it is narrowed to its host); SSH peers included.
    func protection(overlapping network: CIDR) -> (CIDR, ProtectionReason)?
}

extension ProtectionSource {
    /// From the snapshot alone: right for sources without per-ban checks.
    public func protection(overlapping network: CIDR) -> (CIDR, ProtectionReason)? {
        snapshot().overlap(with: network)
    }
}

/// A fixed set of protected addresses (tests, and PROTECT_AUTO="0" without PROTECT).
public struct FixedProtection: ProtectionSource {
    public let addresses: ProtectedAddresses
    public init(_ addresses: ProtectedAddresses = .empty) { self.addresses = addresses }
    public func protection(of address: IPAddress) -> ProtectionReason? { addresses.reason(for: address) }
    public func snapshot() -> ProtectedAddresses { addresses }
}
