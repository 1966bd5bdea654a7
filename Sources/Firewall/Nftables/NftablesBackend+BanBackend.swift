import PortsentryCore

/// The nftables backend behind the ban contract: a batch of decisions is one transaction on the
/// backend's own thread (where the daemon's pipeline runs), lifts and flushes too.
extension NftablesBackend: BanBackend {
    public nonisolated var kind: BackendKind { .nftables }
    public nonisolated var keepsBans: Bool { true }

    /// The set a ban of `target` goes into.
    public nonisolated func enforcement(_ target: CIDR) -> Enforcement {
        .nftables(table: layout.table, set: layout.setName(target))
    }

    public nonisolated func apply(_ decisions: [BanDecision]) -> [BanResult] {
        let requests = decisions.map { BanRequest($0.target, seconds: $0.seconds, origin: $0.origin, time: $0.time, offence: $0.offence) }
        var results: [BanResult] = []
        results.reserveCapacity(decisions.count)
        for (d, outcome) in zip(decisions, banBlocking(requests)) {
            let step = enforcement(d.target)
            switch outcome {
            case .success(.banned(let ban, let displaced)):
                results.append(BanResult(decision: d, steps: [EnforcementStep(step, .applied)], ban: ban,
                                         displaced: displaced.map { [$0] } ?? []))
            case .success(.refreshed(let ban)):
                results.append(BanResult(decision: d, steps: [EnforcementStep(step, .applied)], ban: ban, refreshed: true))
            case .success(.setFull(let family)):
                results.append(.failed(d, step, "the \(family == .inet ? "IPv4" : "IPv6") ban set is full (NFT_SET_SIZE)"))
            case .failure(let error):
                results.append(.failed(d, step, "\(error)"))
            }
        }
        return results
    }

    public nonisolated func absorbKernelBans(_ hosts: [IPAddress]) {
        assumeIsolated { $0.foldKernelBans(hosts) }
    }

    public nonisolated func kernelTrapFullSince(_ family: AddressFamily) -> UInt64? {
        trapFullSince.withLock { $0[family] }
    }

    public nonisolated func lift(_ targets: [CIDR]) throws(BanBackendError) -> [CIDR] {
        try reported(assumeIsolated { backend in Result { () throws(NftError) in try backend.unban(targets) } })
    }

    public nonisolated func flush() throws(BanBackendError) -> [CIDR] {
        try reported(assumeIsolated { backend in Result { () throws(NftError) in try backend.flushSets() } })
    }

    public nonisolated func banCounts() -> [AddressFamily: Int] { metrics().live }

    /// Reads the named counters of our table (one netlink dump of its counters, ~tens of µs).
    public nonisolated func dropCounters() -> [AddressFamily: DropCount]? {
        assumeIsolated { backend in
            guard let ctx = try? backend.openContext(), let named = try? ctx.counters(table: layout.table) else { return nil }
            var counts: [AddressFamily: DropCount] = [:]
            for family in AddressFamily.allCases { counts[family] = named[layout.counterName(family)] }
            return counts
        }
    }

    private nonisolated func reported(_ result: Result<[CIDR], NftError>) throws(BanBackendError) -> [CIDR] {
        try result.mapError { BanBackendError("\($0)") }.get()
    }
}
