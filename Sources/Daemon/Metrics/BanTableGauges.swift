import CoreMetrics
import Firewall
import PortsentryCore

/// `portsentry_active_bans{family}` and `portsentry_ban_set_capacity{family}`: the ban
/// service's live counts (no list is built, the ban path is not waited on) and NFT_SET_SIZE.
struct BanTableGauges: ScrapeSource {
    let bans: BanService
    private let active = AddressFamily.allCases.map { Gauge(label: MetricName.activeBans.rawValue, dimensions: [("family", $0.metricLabel)]) }

    /// - Parameter capacity: NFT_SET_SIZE with the nftables backend; nil (no gauge) otherwise.
    init(bans: BanService, capacity: Int?) {
        self.bans = bans
        guard let capacity else { return }
        for family in AddressFamily.allCases {
            Gauge(label: MetricName.banSetCapacity.rawValue, dimensions: [("family", family.metricLabel)]).record(capacity)
        }
    }

    func refresh() async {
        let counts = bans.banCounts()
        for (family, gauge) in zip(AddressFamily.allCases, active) { gauge.record(counts[family] ?? 0) }
    }
}
