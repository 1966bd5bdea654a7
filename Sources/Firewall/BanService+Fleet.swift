import PortsentryCore

extension BanService {
    /// Fleet bans the ban policy ruled on (`decide(fleet:)`): refusals are published, the rest
    /// applied in one go and published like any ban. Returns the results.
    public func applyFleet(_ rulings: [(target: CIDR, origin: BanOrigin, ruling: Result<BanDecision, BanRefusal>)]) async -> [BanResult] {
        guard !rulings.isEmpty, backend.keepsBans || backend.kind == .dryRun else { return [] }
        return await onBackendThread { [self] in
            var decisions: [BanDecision] = []
            for r in rulings {
                switch r.ruling {
                case .success(let d): decisions.append(d)
                case .failure(let refusal): publish(.refused(target: r.target, origin: r.origin, refusal))
                }
            }
            let results = apply(decisions)
            for result in results {
                publish(.applied(result))
                if result.succeeded, result.decision.target.isHost { noteBlocked(result.decision.address) }
            }
            return results
        }
    }

    /// Lifts fleet bans (hosts or ranges) whose decisions the fleet deleted (reason
    /// `withdrawn`, never pushed back).
    public func withdraw(_ targets: [CIDR]) async throws(BanBackendError) -> [CIDR] {
        guard !targets.isEmpty else { return [] }
        return try await lifting(.withdrawn) { [backend] () throws(BanBackendError) in
            (try backend.lift(targets), [])
        }
    }
}
