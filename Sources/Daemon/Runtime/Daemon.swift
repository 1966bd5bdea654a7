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
    private let sentry: any Sentry
    private let current: Mutex<LoadedConfig>
    /// Yields once when the pipeline thread has finished its last batch.
    private let drained = AsyncStream<Void>.makeStream(of: Void.self)

    init(options: LaunchOptions, loaded: LoadedConfig, logger: Logger) async throws {
        self.options = options
        self.logger = logger
        current = Mutex(loaded)
        let (enforcement, banner) = try await BackendSelection.start(loaded.config, logger: logger)
        self.enforcement = enforcement
        self.banner = banner
        engine = DetectionEngine(settings: DetectionSettings(config: loaded.config, ignoreList: loaded.ignoreList,
                                                             localCheck: options.localCheck))
        pipeline = EventPipeline(settings: Self.pipelineSettings(loaded.config, enforcement),
                                 nft: banner.map(NftablesBanSet.init(banner:)), logger: logger)
        sentry = try SentryFactory.make(options, loaded.config, logger: logger)
        try sentry.prepare()
    }

    static func pipelineSettings(_ config: Config, _ enforcement: Enforcement) -> EventPipeline.Settings {
        EventPipeline.Settings(
            planner: ActionPlanner(config: config, enforcement: enforcement),
            resolveHost: config.resolveHost,
            history: config.historyFile.map(HistoryFile.init(path:)),
            blocked: config.blockedFile.map(BlockedFile.init(path:)),
            hostsDeny: HostsDenyFile())
    }

    var config: Config { current.withLock { $0.config } }

    /// Starts the pipeline, the sentry thread and the ban-release listener.
    func start() {
        pipeline.start { [drained] in drained.continuation.yield(); drained.continuation.finish() }
        let sink = EngineSink(engine: engine, pipeline: pipeline)
        startThread { [sentry, logger] in
            do { try sentry.run(sink) } catch {
                // A sentry that fails while running leaves nothing to watch: stop the daemon.
                logger.error("Capture stopped: \(error)")
                kill(getpid(), SIGTERM)
            }
        }
        if let banner {
            Task { [pipeline] in
                for await release in banner.releases { pipeline.forgetBlocked([release.address]) }
            }
        }
    }

    /// SIGHUP: a new config and ignore file, keeping counters, bans and blocked state. Sockets
    /// and capture keep running with the ports they watch; the listening mode can't change.
    func reload() -> Result<Void, ConfigError> {
        do {
            let loaded = try LoadedConfig.load(options)
            for w in loaded.warnings { logger.warning("\(w)") }
            current.withLock { $0 = loaded }
            engine.update(DetectionSettings(config: loaded.config, ignoreList: loaded.ignoreList, localCheck: options.localCheck))
            pipeline.update(Self.pipelineSettings(loaded.config, enforcement))
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    /// Stops capture, lets the pipeline finish what is queued (one second at most, so a stuck
    /// KILL_* command cannot hold up shutdown), shuts the backend down (bans stay).
    func stop() async {
        sentry.stop()
        pipeline.close()
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
