import PortsentryCore

/// Decides which hosts a block target may ban. nftables host sets hold single addresses, so a
/// network is expanded into its hosts (at most `maxNetworkHosts`). Addresses in the ignore file
/// and addresses of this host are refused unless the order says `force`.
public struct BlockScreen: Sendable {
    /// The largest network `block` expands.
    public static let maxNetworkHosts = 256

    public var ignore: IgnoreList
    public var localAddresses: Set<IPAddress>

    public init(ignore: IgnoreList, localAddresses: Set<IPAddress>) {
        self.ignore = ignore
        self.localAddresses = localAddresses
    }

    /// What to do with one target.
    public enum Verdict: Sendable, Hashable {
        /// Ban these hosts.
        case ban([IPAddress])
        /// Ban nothing; report this.
        case refuse(TargetResult)

        var hosts: [IPAddress] { if case .ban(let hosts) = self { hosts } else { [] } }
    }

    /// The hosts to ban for `target`, or the refusal to report for it.
    public func verdict(for target: CIDR, force: Bool) -> Verdict {
        let width = target.network.family == .inet ? 32 : 128
        let hostBits = width - target.prefixLength
        guard hostBits <= 8 else {
            return .refuse(TargetResult(address: "\(target)", outcome: .refused,
                detail: "network too large: at most \(Self.maxNetworkHosts) addresses can be blocked at once (use a /\(width - 8) or longer prefix)"))
        }
        let hosts = (0..<(1 << hostBits)).map { target.network.adding(UInt8($0)) }
        guard !force else { return .ban(hosts) }
        if let host = hosts.first(where: { ignore.contains($0) }) {
            return .refuse(TargetResult(address: "\(target)", outcome: .refused,
                detail: "\(host) is in the ignore file (use --force to block it anyway)"))
        }
        if let host = hosts.first(where: { localAddresses.contains($0.unmapped) }) {
            return .refuse(TargetResult(address: "\(target)", outcome: .refused,
                detail: "\(host) is an address of this host (use --force to block it anyway)"))
        }
        return .ban(hosts)
    }
}

extension IPAddress {
    /// The address plus `offset` in its last byte (the host part of a network of up to 256 addresses).
    func adding(_ offset: UInt8) -> IPAddress {
        switch self {
        case .v4(let a): .v4(a + UInt32(offset))
        case .v6(let h, let l): .v6(high: h, low: l + UInt64(offset))
        }
    }
}
