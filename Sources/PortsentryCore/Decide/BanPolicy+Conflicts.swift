extension BanPolicy {
    /// What inside (or around) `network` must not be banned without force: a protected network,
    /// an ignore-file entry, a local address. Protected first.
    func conflict(in network: CIDR, localAddresses: Set<IPAddress>) -> Conflict? {
        if network.isHost, let reason = protection.protection(of: network.network) { return .protected(network, reason) }
        if !network.isHost, let (hit, reason) = protection.protection(overlapping: network) { return .protected(hit, reason) }
        if let hit = ignoreList.overlap(with: network) { return .ignored(hit) }
        if let local = localAddresses.first(where: network.contains) { return .local(local.unmapped) }
        return nil
    }

    /// Something a ban of a network would hit that it must not.
    enum Conflict {
        case protected(CIDR, ProtectionReason)
        case ignored(CIDR)
        case local(IPAddress)

        /// `2001:db8:1:2::53 (PROTECT) shares 2001:db8:1:2::/64`, for the narrowed-ban line.
        func description(in network: CIDR) -> String {
            switch self {
            case .protected(let hit, let reason): "\(hit) (\(reason.rawValue)) shares \(network)"
            case .ignored(let hit): "\(hit) (ignore file) shares \(network)"
            case .local(let address): "\(address) (an address of this host) is inside \(network)"
            }
        }

        /// Protected addresses are refused even with force.
        var isProtection: Bool { if case .protected = self { true } else { false } }

        /// The refusal of a ban of `target`: it names the host when the target is one, else
        /// what inside it conflicts.
        func refusal(banning target: CIDR) -> BanRefusal {
            switch self {
            case .protected(let hit, let reason): .protected(target.isHost ? target.network : hit.network, reason)
            case .ignored(let hit): .ignored(target.isHost ? target.network : hit.network)
            case .local(let address): .localAddress(address)
            }
        }
    }
}
