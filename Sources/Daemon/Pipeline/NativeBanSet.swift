import Firewall
import PortsentryCore

/// What the pipeline needs from the nftables backend. Called only from the pipeline thread,
/// so implementations may block it while the kernel commits.
protocol NativeBanSet: Sendable {
    /// Whether the kernel holds a live ban for `address`.
    func isBanned(_ address: IPAddress) -> Bool
    /// Bans the sources of `events` in one transaction. Per source: the action line on
    /// success, or why it failed.
    func ban(_ events: [ProbeEvent]) -> [IPAddress: Result<String, BanFailure>]
    /// Counts an event from a source that is already banned.
    func recordHit(_ address: IPAddress)
}

/// Why a source could not be added to the ban set.
struct BanFailure: Error, CustomStringConvertible {
    let description: String
}

/// The pipeline's view of `NftablesBanner`.
struct NftablesBanSet: NativeBanSet {
    let banner: NftablesBanner

    func isBanned(_ address: IPAddress) -> Bool { banner.isBanned(address) }

    func recordHit(_ address: IPAddress) { banner.recordHit(address) }

    func ban(_ events: [ProbeEvent]) -> [IPAddress: Result<String, BanFailure>] {
        let requests = events.map { BanRequest($0.source, trigger: BanTrigger(event: $0)) }
        let results = banner.banBlocking(requests)
        var out: [IPAddress: Result<String, BanFailure>] = [:]
        for (request, result) in zip(requests, results) {
            switch result {
            case .success(.banned), .success(.refreshed):
                out[request.address] = .success(banner.logLine(for: request.address, seconds: banner.defaultSeconds))
            case .success(.setFull(let family)):
                out[request.address] = .failure(BanFailure(description: "the \(family.nftName) ban set is full (NFT_SET_SIZE)"))
            case .failure(let error):
                out[request.address] = .failure(BanFailure(description: "\(error)"))
            }
        }
        return out
    }
}
