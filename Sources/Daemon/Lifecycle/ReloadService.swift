import ServiceLifecycle
import UnixSignals

/// SIGHUP reloads config and ignore file. Last in the group, so it is the first to hear of a
/// shutdown, and tells systemd the daemon is stopping.
struct ReloadService: Service {
    let daemon: Daemon

    func run() async {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in hangups { _ = await daemon.reloadReporting() }
        }
        SystemdNotify.stopping()
    }
}
