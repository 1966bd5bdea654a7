import Control
import Firewall
import Glibc
import Logging
import PortsentryCore

/// This host as a member of a CrowdSec fleet (docs/crowdsec.md): the watcher that pushes our
/// bans and the bouncer that pulls the fleet's, over one LAPI client, with the counters that
/// `status` shows. Made at start-up when CROWDSEC_LAPI_URL is set.
public final class FleetLink: Sendable {
    private let config: CrowdSecConfig
    private let client: LAPIClient
    private let ledger = PushLedger()
    private let stats: FleetStats
    private let pusher: FleetPusher?
    private let logger: Logger

    /// Reads the secrets (refusing files everyone may read); nil when the fleet is not configured.
    public init?(_ config: CrowdSecConfig, logger: Logger) throws(ConfigError) {
        guard let url = config.url else { return nil }
        self.config = config
        self.logger = logger
        client = LAPIClient(base: url, credentials: try FleetCredentials.load(config), caFile: config.caFile)
        stats = FleetStats(config)
        pusher = config.push
            ? FleetPusher(queue: PushQueue(path: config.queueFile), ledger: ledger, client: client, stats: stats,
                          config: config, node: Self.hostName(), logger: logger)
            : nil
    }

    /// The ban service's observer that queues our bans for the LAPI (nil with CROWDSEC_PUSH=0).
    public var observer: (any BanObserver)? { pusher }

    /// Pushes and pulls until the calling task is cancelled.
    public func run(bans: BanService) async {
        let puller = config.pull ? FleetPuller(client: client, bans: bans, ledger: ledger, stats: stats, config: config, logger: logger) : nil
        logger.info("CrowdSec: \(config.url ?? "") (push \(config.push ? "on" : "off"), pull \(config.pull ? "on every \(config.pullInterval)s" : "off"))")
        await withTaskGroup(of: Void.self) { group in
            if let pusher { group.addTask { await pusher.run() } }
            if let puller { group.addTask { await puller.run() } }
        }
    }

    /// The link's counters, without the fleet bans by source (no list of bans is read).
    public var counters: FleetStatus { stats.snapshot }

    /// What `status` shows, with the fleet bans among `bans` counted by source.
    public func status(_ bans: [Ban]) -> FleetStatus {
        var out = stats.snapshot
        for ban in bans { if case .fleet(let source)? = ban.origin { out.bansByOrigin[source, default: 0] += 1 } }
        return out
    }

    private static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
