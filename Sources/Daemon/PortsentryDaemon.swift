import Control
import Glibc
import Logging
import PortsentryCore
import ServiceLifecycle

/// Entry point of the daemon once the command line is parsed.
public enum PortsentryDaemon {
    /// Runs until SIGTERM/SIGINT; returns the process exit status.
    public static func run(_ options: LaunchOptions) async -> Int32 {
        let loaded: LoadedConfig
        do {
            loaded = try LoadedConfig.load(options)
        } catch {
            printError("\(error)")
            return 1
        }
        for w in loaded.warnings { printError("warning: \(w)") }
        if options.checkOnly {
            print("Configuration OK: \(options.configFile)")
            print(BackendRule(loaded.config).line + (options.dryRun || loaded.config.dryRun ? "; dry run: nothing is blocked" : ""))
            return 0
        }
        if options.daemonize { return Daemonize.relaunchInBackground() }

        let logger = makeLogger(options)
        let registry = loaded.config.metricsListen.map { _ in MetricsSetup.bootstrap() }
        HostNameResolver.shortenResolverTimeout()
        signal(SIGPIPE, SIG_IGN)
        let rule = BackendRule(loaded.config)
        logger.info("\(rule.line)")

        let daemon: Daemon
        do {
            daemon = try await Daemon(options: options, loaded: loaded, logger: logger)
        } catch {
            logger.error("\(error)")
            return 1
        }
        let control: ControlServer?
        do {
            control = try daemon.startControlServer()
        } catch {
            logger.error("Control socket unavailable, portsentry-ctl cannot reach this daemon: \(error)")
            control = nil
        }
        let metrics = await daemon.metricsService(registry: registry)
        if daemon.dryRun { logger.notice("Dry run: nothing will be blocked; would-be bans are logged") }
        // Every sentry is prepared (capture handles open, filters in place, sockets bound).
        logger.notice("\(LogLine.active)")
        SystemdNotify.ready()

        // Shut down in reverse order: reload, sentries, control socket, pipeline, the backend,
        // then the event log's last lines.
        let services: [any Service] = [
            EventLogService(events: daemon.events), BanUpkeepService(bans: daemon.bans), metrics,
            PipelineService(pipeline: daemon.pipeline),
            ControlService(server: control), SentryService(runner: daemon.runner, first: daemon.firstSentry),
            KernelTrapService(keeper: daemon.kernelTrap), ReloadService(daemon: daemon),
        ] + (daemon.fleet.map { [FleetService(fleet: $0, bans: daemon.bans)] } ?? [])
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                                            failureTerminationBehavior: .gracefullyShutdownGroup) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: Logger(label: "portsentry.lifecycle") { _ in SwiftLogNoOpLogHandler() }))
        var status: Int32 = 0
        do {
            try await group.run()
        } catch {
            status = 1   // a sentry failed; its error is logged already
        }
        logger.notice("\(LogLine.shuttingDown)")
        return status
    }

    static func makeLogger(_ options: LaunchOptions) -> Logger {
        let level: Logger.Level = options.debug ? .debug : options.verbose ? .info : .notice
        let stdout = options.outputs.contains(.stdout)
        let syslog = options.outputs.contains(.syslog)
        LoggingSystem.bootstrap { _ in LineLogHandler(level: level, stdout: stdout, syslog: syslog) }
        return Logger(label: "portsentry")
    }

    static func printError(_ text: String) {
        var line = Array((JournalStream.prefix(fd: STDERR_FILENO, priority: LOG_ERR) + text + "\n").utf8)[...]
        while !line.isEmpty {
            let n = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            line = line.dropFirst(n)
        }
    }
}
