import Control
import PortsentryCore

/// The daemon as portsentry-ctl reaches it: its config and control socket.
struct DaemonLink {
    /// The daemon's config; nil when the config file could not be read or is invalid.
    let config: Config?
    /// Why `config` is nil.
    let configProblem: String?
    let client: ControlClient

    /// Reads the config. An invalid one is not fatal: the daemon can still be asked (a `reload`
    /// then says what is wrong); the socket is taken from `--socket`, from the CONTROL_SOCKET
    /// line if it parses, or is the default.
    init(_ options: DaemonOptions) {
        do {
            // ctl never watches ports: skip the checks that need a port list.
            config = try ConfigParser.load(path: options.configFile, watching: PortWatch(protocols: []))
            configProblem = nil
        } catch {
            config = nil
            configProblem = "\(error)"
        }
        let path = options.socket ?? config?.controlSocket
            ?? ConfigParser.lenientValue(of: .controlSocket, path: options.configFile) ?? Config().controlSocket
        if let configProblem, options.socket == nil {
            Output.error("warning: \(configProblem); using control socket \(path)")
        }
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
        if !response.ok, response.code == .badRequest, response.error?.contains("unknown command '\(request.command)'") == true {
            throw CtlFailure("the running daemon is older than this portsentry-ctl and does not know '\(request.command)'; restart it to run the new version")
        }
        guard response.ok else { throw CtlFailure(response.error ?? "the daemon refused the request") }
        return response
    }

    /// Sends `request` to the daemon; when none answers, says `portsentry is not running` on
    /// stdout and fails with exit status 3 (`status`, `stats`, `top`).
    func ask(_ request: ControlRequest) async throws(CtlFailure) -> ControlResponse {
        do throws(CtlFailure) {
            return try await send(request)
        } catch where error.exitCode.rawValue == CtlFailure.notRunning.rawValue {
            Output.line("portsentry is not running (no daemon answers on \(client.socketPath))")
            throw CtlFailure("", exitCode: CtlFailure.notRunning, silent: true)
        }
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
                throw CtlFailure("daemon not running, and acting on the nftables set directly needs a valid config file: \(configProblem ?? "")")
            }
            Output.error("daemon not running; acting on nftables set directly")
            return try await OfflineBans.run(config: config, offline)
        }
    }
}
