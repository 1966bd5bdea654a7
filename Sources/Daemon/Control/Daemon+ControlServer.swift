import Control
import Glibc
import PortsentryCore

extension Daemon {
    /// Serves CONTROL_SOCKET (with CONTROL_GROUP) for portsentry-ctl until the server's `stop()`.
    /// Changing CONTROL_SOCKET or CONTROL_GROUP takes a restart.
    func startControlServer() throws(ControlError) -> ControlServer {
        let config = self.config
        let handler = DaemonControlHandler(daemon: self, startedAt: Int64(time(nil)))
        return try ControlServer(.init(socketPath: config.controlSocket, group: config.controlGroup),
                                 handler: handler, logger: logger)
    }

    /// Reloads as SIGHUP does, telling systemd and the log how it went.
    func reloadReporting() async -> Result<Void, ReloadFailure> {
        SystemdNotify.reloading()
        let result = await reload()
        switch result {
        case .success: logger.notice("Configuration reloaded from \(options.configFile)")
        case .failure(let error): logger.error("Reload failed, keeping the running configuration: \(error)")
        }
        SystemdNotify.ready()
        return result
    }
}
