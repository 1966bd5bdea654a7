/// Values kept elsewhere that the metrics endpoint copies into its registry at each scrape,
/// just before it renders (bans in force, capture statistics, the fleet link's counters). A
/// refresh must not block a thread of the cooperative pool, nor wait on the ban backend's
/// thread (what must be read there is read once a second instead: `DropCounterReading`).
protocol ScrapeSource: Sendable {
    func refresh() async
}
