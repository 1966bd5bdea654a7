import PortsentryCore

/// The nftables backend behind the ban contract: a batch of decisions is one transaction on the
/// backend's own thread (where the daemon's pipeline runs), lifts and flushes too.
extension NftablesBackend: BanBackend {
    public nonisolated var kind: BackendKind { .nftables }
    public nonisolated var keepsBans: Bool { true }

    /// The set a ban of `family` goes into.
    public nonisolated func enforcement(_ family: AddressFamily) -> Enforcement {
        .nftables(table: layout.table, set: layout.setName(family))
    }

    public nonisolated func apply(_ decisions: [BanDecision]) -> [BanResult] {
        var results = [BanResult?](repeating: nil, count: decisions.count)
        var requests: [BanRequest] = [], slots: [Int] = []
        for (i, d) in decisions.enumerated() {
            guard d.target.isHost else {
                results[i] = .failed(d, enforcement(d.address.family), "prefix bans are not supported")
                continue
            }
            requests.append(BanRequest(d.address, seconds: d.seconds, origin: d.origin, time: d.time, offence: d.offence))
            slots.append(i)
        }
        for (slot, outcome) in zip(slots, banBlocking(requests)) {
            let d = decisions[slot], step = enforcement(d.address.family)
            switch outcome {
            case .success(.banned(let ban, let displaced)):
                results[slot] = BanResult(decision: d, steps: [EnforcementStep(step, .applied)], ban: ban,
                                          displaced: displaced.map { [$0] } ?? [])
            case .success(.refreshed(let ban)):
                results[slot] = BanResult(decision: d, steps: [EnforcementStep(step, .applied)], ban: ban, refreshed: true)
            case .success(.setFull(let family)):
                results[slot] = .failed(d, step, "the \(family == .inet ? "IPv4" : "IPv6") ban set is full (NFT_SET_SIZE)")
            case .failure(let error):
                results[slot] = .failed(d, step, "\(error)")
            }
        }
        return results.map { $0! }
    }

    public nonisolated func lift(_ targets: [CIDR]) throws(BanBackendError) -> [IPAddress] {
        try reported(assumeIsolated { backend in Result { () throws(NftError) in try backend.unban(targets) } })
    }

    public nonisolated func flush() throws(BanBackendError) -> [IPAddress] {
        try reported(assumeIsolated { backend in Result { () throws(NftError) in try backend.flushSets() } })
    }

    private nonisolated func reported(_ result: Result<[IPAddress], NftError>) throws(BanBackendError) -> [IPAddress] {
        try result.mapError { BanBackendError("\($0)") }.get()
    }
}
