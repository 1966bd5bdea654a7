/// Values kept elsewhere that the metrics endpoint copies into its registry at each scrape,
/// just before it renders (bans in force, the nft drop counters, capture statistics, the fleet
/// link's counters). A refresh must not block a thread of the cooperative pool.
protocol ScrapeSource: Sendable {
    func refresh() async
}
