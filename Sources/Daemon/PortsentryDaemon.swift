import Control
import Glibc
import Logging
import PortsentryCore
import UnixSignals

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
            return 0
        }
        if options.daemonize { return Daemonize.relaunchInBackground() }

        let logger = makeLogger(options)
        HostNameResolver.shortenResolverTimeout()
        signal(SIGPIPE, SIG_IGN)
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint, .sighup)

        let daemon: Daemon
        do {
            daemon = try await Daemon(options: options, loaded: loaded, logger: logger)
        } catch {
            logger.error("\(error)")
            return 1
        }
        daemon.start()
        let control: ControlServer?
        do {
            control = try daemon.startControlServer()
        } catch {
            logger.error("Control socket unavailable, portsentry-ctl cannot reach this daemon: \(error)")
            control = nil
        }
        logger.notice("\(LogLine.active)")
        SystemdNotify.ready()

        for await sig in signals {
            if sig == .sighup {
                _ = await daemon.reloadReporting()
                continue
            }
            break
        }
        SystemdNotify.stopping()
        await control?.stop()
        await daemon.stop()
        logger.notice("\(LogLine.shuttingDown)")
        return 0
    }

    static func makeLogger(_ options: LaunchOptions) -> Logger {
        let level: Logger.Level = options.debug ? .debug : options.verbose ? .info : .notice
        let stdout = options.outputs.contains(.stdout)
        let syslog = options.outputs.contains(.syslog)
        LoggingSystem.bootstrap { _ in LineLogHandler(level: level, stdout: stdout, syslog: syslog) }
        return Logger(label: "portsentry")
    }

    static func printError(_ text: String) {
        var line = Array((text + "\n").utf8)[...]
        while !line.isEmpty {
            let n = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            line = line.dropFirst(n)
        }
    }
}
