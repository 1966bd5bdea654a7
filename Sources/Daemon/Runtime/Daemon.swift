import Capture
import Firewall
import Fleet
import Glibc
import Logging
import PortsentryCore
import Synchronization

/// The running daemon's parts: detection engine, ban service (backend, policy, BLOCKED_FILE),
/// pipeline and sentry, with the operations that reload and the control socket need. Its
/// services (`services`) run them under one swift-service-lifecycle group.
final class Daemon: Sendable {
    let options: LaunchOptions
    let logger: Logger
    let engine: DetectionEngine
    let bans: BanService
    let pipeline: EventPipeline
    let rule: BackendRule
    let protection: HostProtection
    let rateAlarm: BanRateAlarm
    /// EVENT_LOG (off when unset).
    let events: EventLog
    /// Probes and bans per minute, top sources and ports (`portsentry-ctl stats` and `top`).
    let activity = ActivityRecorder()
    let runner: SentryRunner
    /// KERNEL_BAN's rules, kept in step with listeners and addresses.
    let kernelTrap: KernelTrapKeeper
    /// The CrowdSec fleet link (CROWDSEC_LAPI_URL), fixed at start.
    let fleet: FleetLink?
    /// The sentry prepared at start-up, started by its service.
    let firstSentry: any Sentry
    /// The config in force and the sentry plan it gave.
    private let current: Mutex<(loaded: LoadedConfig, plan: SentryPlan)>

    init(options: LaunchOptions, loaded: LoadedConfig, logger: Logger) async throws {
        self.options = options
        self.logger = logger
        let config = loaded.config
        rule = BackendRule(config)
        protection = HostProtection(loaded.protection)
        protection.startWatching(logger: logger)
        if !config.protectAuto {
            logger.warning("PROTECT_AUTO=\"0\": this host's addresses, gateways, resolvers and SSH sessions are not protected; forged probes can make portsentry block them")
        }
        fleet = try FleetLink(config.crowdsec, logger: logger)
        async let started = BackendSelection.start(config, dryRun: options.dryRun || config.dryRun, maintained: true, logger: logger)
        // The capture opens while the backend puts the state file's bans back (~12 ms of a start).
        let plan = try SentryPlan(options, config)
        let sentry = try plan.makeSentry(logger: logger)
        try sentry.prepare()
        let backend = try await started
        rateAlarm = BanRateAlarm(perSecond: config.banRateAlarm, logger: logger)
        events = EventLog(EventLog.Destination(config.eventLog), logger: logger)
        let ledger = BanLedger(file: backend.kind == .nftables ? BanLedgerFile(statePath: config.stateFile) : nil,
                               memorySeconds: config.offenceMemory, logger: logger)
        let banCounters = BanEventCounters()
        bans = BanService(backend: backend, policy: BanPolicy(config: config, ignoreList: loaded.ignoreList, protection: protection),
                          blockedFile: config.blockedFile.map(BlockedFile.init(path:)), ledger: ledger,
                          observers: [BanEventLines(logger: logger), rateAlarm, events, banCounters, activity] + [fleet?.observer].compactMap { $0 },
                          logger: logger)
        // The bans in force at start (STATE_FILE; BLOCKED_FILE with the legacy commands).
        for (family, count) in bans.banCounts() { banCounters.banned(origin: "restore", family: family, count: count) }
        engine = DetectionEngine(settings: DetectionSettings(config: config, ignoreList: loaded.ignoreList,
                                                             localCheck: options.localCheck))
        pipeline = EventPipeline(settings: Self.pipelineSettings(config), bans: bans, events: events, logger: logger)
        kernelTrap = KernelTrapKeeper(backend: backend, protection: protection, pipeline: pipeline, logger: logger)
        let kernelRule = kernelTrap.rule(config, plan: plan, options: options, dryRun: backend.kind == .dryRun)
        if let refusal = kernelRule.refusal { throw refusal }
        current = Mutex((loaded, plan))
        runner = SentryRunner(sink: EngineSink(engine: engine, pipeline: pipeline, activity: activity), logger: logger)
        firstSentry = sentry
        await kernelTrap.configure(kernelRule, plan: plan, config: config, ignoreList: loaded.ignoreList)
    }

    static func pipelineSettings(_ config: Config) -> EventPipeline.Settings {
        EventPipeline.Settings(hook: RunCommandHook(config: config), resolveHost: config.resolveHost,
                               history: config.historyFile.map(HistoryFile.init(path:)), banRateLimit: config.banRateLimit)
    }

    var config: Config { current.withLock { $0.loaded.config } }

    /// Whether bans are only simulated (DRY_RUN or --dry-run).
    var dryRun: Bool { bans.backend.kind == .dryRun }

    /// Why a reload was refused; the running configuration stays.
    struct ReloadFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// SIGHUP: a new config and ignore file, keeping counters, bans and blocked state. When the
    /// watched ports change, the sentry is replaced; if the new one cannot start, the old
    /// configuration and sentry come back. The mode, the backend and its table are fixed at start.
    func reload() async -> Result<Void, ReloadFailure> {
        let loaded: LoadedConfig
        let plan: SentryPlan
        do {
            loaded = try LoadedConfig.load(options)
            plan = try SentryPlan(options, loaded.config)
        } catch {
            return .failure(ReloadFailure(description: "\(error)"))
        }
        let kernelRule = kernelTrap.rule(loaded.config, plan: plan, options: options, dryRun: dryRun)
        if let refusal = kernelRule.refusal { return .failure(ReloadFailure(description: "\(refusal)")) }
        for w in loaded.warnings { logger.warning("\(w)") }
        if loaded.config.metricsListen != config.metricsListen {
            logger.warning("METRICS_LISTEN changes take effect at the next start; the endpoint stays as it was")
        }
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
        protection.update(loaded.protection)
        bans.update(policy: BanPolicy(config: loaded.config, ignoreList: loaded.ignoreList, protection: protection),
                    blockedFile: loaded.config.blockedFile.map(BlockedFile.init(path:)))
        bans.ledger?.update(memorySeconds: loaded.config.offenceMemory)
        pipeline.update(Self.pipelineSettings(loaded.config))
        rateAlarm.update(perSecond: loaded.config.banRateAlarm)
        events.update(EventLog.Destination(loaded.config.eventLog))
        await kernelTrap.configure(kernelRule, plan: plan, config: loaded.config, ignoreList: loaded.ignoreList)
        return .success(())
    }
}

/// Detection then hand-off to the pipeline: what a sentry calls for every probe.
struct EngineSink: ProbeSink {
    let engine: DetectionEngine
    let pipeline: EventPipeline
    let activity: ActivityRecorder

    func receive(_ event: ProbeEvent) -> Verdict {
        activity.record(event)
        let verdict = engine.receive(event)
        pipeline.submit(verdict)
        return verdict
    }

    func passed(_ event: ProbeEvent, as result: ProbeResult) { pipeline.passed(event, as: result) }
}
