import Capture
import Firewall
import Glibc
import Logging
import PortsentryCore
import Synchronization
import UnixSignals

/// The running daemon: detection engine, sentry, pipeline and nftables backend, with the
/// operations that reload and the control socket need.
final class Daemon: Sendable {
    let options: LaunchOptions
    let logger: Logger
    let engine: DetectionEngine
    let pipeline: EventPipeline
    let banner: NftablesBanner?
    let enforcement: Enforcement
    private let runner: SentryRunner
    /// The config in force and the sentry plan it gave.
    private let current: Mutex<(loaded: LoadedConfig, plan: SentryPlan)>
    /// Yields once when the pipeline thread has finished its last batch.
    private let drained = AsyncStream<Void>.makeStream(of: Void.self)

    init(options: LaunchOptions, loaded: LoadedConfig, logger: Logger) async throws {
        self.options = options
        self.logger = logger
        let (enforcement, banner) = try await BackendSelection.start(loaded.config, logger: logger)
        self.enforcement = enforcement
        self.banner = banner
        engine = DetectionEngine(settings: DetectionSettings(config: loaded.config, ignoreList: loaded.ignoreList,
                                                             localCheck: options.localCheck))
        pipeline = EventPipeline(settings: Self.pipelineSettings(loaded.config, enforcement),
                                 nft: banner.map(NftablesBanSet.init(banner:)),
                                 host: banner.map { NftablesHost(banner: $0) as any PipelineHost } ?? SerialThread(),
                                 logger: logger)
        let plan = try SentryPlan(options, loaded.config)
        current = Mutex((loaded, plan))
        runner = SentryRunner(sink: EngineSink(engine: engine, pipeline: pipeline), logger: logger)
        firstSentry = try plan.makeSentry(logger: logger)
        try firstSentry.prepare()
    }

    /// The sentry prepared at start-up, run by `start()`.
    private let firstSentry: any Sentry

    static func pipelineSettings(_ config: Config, _ enforcement: Enforcement) -> EventPipeline.Settings {
        EventPipeline.Settings(
            planner: ActionPlanner(config: config, enforcement: enforcement),
            resolveHost: config.resolveHost,
            history: config.historyFile.map(HistoryFile.init(path:)),
            blocked: config.blockedFile.map(BlockedFile.init(path:)),
            hostsDeny: HostsDenyFile())
    }

    var config: Config { current.withLock { $0.loaded.config } }

    /// Starts the sentry thread and the ban-release listener.
    func start() {
        runner.start(firstSentry)
        if let banner {
            Task { [pipeline] in
                for await release in banner.releases { pipeline.forgetBlocked([release.address]) }
            }
        }
    }

    /// Why a reload was refused; the running configuration stays.
    struct ReloadFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// SIGHUP: a new config and ignore file, keeping counters, bans and blocked state. When the
    /// watched ports change, the sentry is replaced; if the new one cannot start, the old
    /// configuration and sentry come back. The mode and the nftables table are fixed at start.
    func reload() async -> Result<Void, ReloadFailure> {
        let loaded: LoadedConfig
        let plan: SentryPlan
        do {
            loaded = try LoadedConfig.load(options)
            plan = try SentryPlan(options, loaded.config)
        } catch {
            return .failure(ReloadFailure(description: "\(error)"))
        }
        for w in loaded.warnings { logger.warning("\(w)") }
        let oldPlan = current.withLock { $0.plan }
        if plan != oldPlan {
            await runner.stop()
            do {
                let sentry = try plan.makeSentry(logger: logger)
                try sentry.prepare()
                runner.start(sentry)
            } catch {
                logger.error("The new port settings cannot be watched (\(error)); restoring the previous ones")
                if let sentry = try? oldPlan.makeSentry(logger: logger), (try? sentry.prepare()) != nil {
                    runner.start(sentry)
                }
                return .failure(ReloadFailure(description: "cannot watch the new ports: \(error)"))
            }
        }
        current.withLock { $0 = (loaded, plan) }
        engine.update(DetectionSettings(config: loaded.config, ignoreList: loaded.ignoreList, localCheck: options.localCheck))
        pipeline.update(Self.pipelineSettings(loaded.config, enforcement))
        return .success(())
    }

    /// Stops capture, lets the pipeline finish what is queued (one second at most, so a stuck
    /// KILL_* command cannot hold up shutdown), shuts the backend down (bans stay).
    func stop() async {
        await runner.stop()
        pipeline.close { [drained] in drained.continuation.yield(); drained.continuation.finish() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [drained] in for await _ in drained.stream { break } }
            group.addTask { try? await Task.sleep(for: .seconds(1)) }
            await group.next()
            group.cancelAll()
        }
        await banner?.shutdown()
    }
}

/// Detection then hand-off to the pipeline: what a sentry calls for every probe.
struct EngineSink: ProbeSink {
    let engine: DetectionEngine
    let pipeline: EventPipeline

    func receive(_ event: ProbeEvent) -> Verdict {
        let verdict = engine.receive(event)
        pipeline.submit(verdict)
        return verdict
    }
}
