import Control
import PortsentryCore

/// The daemon as portsentry-ctl reaches it: its config and control socket.
struct DaemonLink {
    /// The daemon's config; nil when `--socket` was given and the config file could not be read.
    let config: Config?
    let configProblem: String?
    let client: ControlClient

    init(_ options: DaemonOptions) throws(CtlFailure) {
        do {
            // ctl never watches ports: skip the checks that need a port list.
            config = try ConfigParser.load(path: options.configFile, watching: PortWatch(protocols: []))
            configProblem = nil
        } catch {
            guard options.socket != nil else { throw CtlFailure("\(error)") }
            config = nil
            configProblem = "\(error)"
        }
        let path = options.socket ?? config?.controlSocket ?? ""
        client = ControlClient(socketPath: path, timeout: .seconds(options.timeout))
    }

    /// Sends `request` to the daemon; a failure response becomes a `CtlFailure`.
    func send(_ request: ControlRequest) async throws(CtlFailure) -> ControlResponse {
        let response: ControlResponse
        do {
            response = try await client.send(request)
        } catch {
            throw CtlFailure(error)
        }
        guard response.ok else { throw CtlFailure(response.error ?? "the daemon refused the request") }
        return response
    }

    /// Sends `request` to the daemon or, when it is not running, runs `offline` on the
    /// nftables backend directly (saying so on stderr).
    func perform(_ request: ControlRequest, offline: (OfflineBans) async throws(CtlFailure) -> ControlResponse)
        async throws(CtlFailure) -> ControlResponse
    {
        do throws(CtlFailure) {
            return try await send(request)
        } catch where error.exitCode.rawValue == CtlFailure.notRunning.rawValue {
            guard let config else {
                throw CtlFailure("daemon not running, and the config file is needed to act on the nftables set directly: \(configProblem ?? "")")
            }
            Output.error("daemon not running; acting on nftables set directly")
            return try await OfflineBans.run(config: config, offline)
        }
    }
}
