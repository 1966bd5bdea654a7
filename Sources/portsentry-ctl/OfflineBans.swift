import Capture
import Control
import Glibc
import Firewall
import Logging
import PortsentryCore

/// The daemon's ban service opened by portsentry-ctl itself while the daemon is down: the same
/// backend choice, ban policy and BLOCKED_FILE, acting on the kernel sets and STATE_FILE directly.
struct OfflineBans {
    let commands: BanCommands
    let protection: HostProtection
    /// Why the ignore file could not be read; blocking then needs --force.
    let ignoreProblem: String?

    /// Opens the backend and ban service for `config`, runs `body`, and closes the backend
    /// (writing the state file).
    static func run(config: Config, _ body: (OfflineBans) async throws(CtlFailure) -> ControlResponse)
        async throws(CtlFailure) -> ControlResponse
    {
        guard BackendRule(config).backend == .nftables else {
            throw CtlFailure("daemon not running, and its bans are made by KILL_ROUTE/KILL_HOSTS_DENY commands (BLOCK_BACKEND) that portsentry-ctl cannot change")
        }
        var logger = Logger(label: "portsentry-ctl") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let backend: any BanBackend
        do {
            backend = try await BackendSelection.start(config, dryRun: false, logger: logger)
        } catch {
            throw CtlFailure(error.description, exitCode: error.missingCapability ? CtlFailure.permissionDenied : CtlFailure.failed)
        }
        let (ignore, ignoreProblem) = ignoreList(config)
        let protection: HostProtection
        do throws(CtlFailure) {
            protection = try Self.protection(config)
        } catch {
            await backend.shutdown()
            throw error
        }
        let outcome: Result<ControlResponse, CtlFailure>
        do throws(CtlFailure) {
            let ledger = BanLedger(file: BanLedgerFile(statePath: config.stateFile), memorySeconds: config.offenceMemory, logger: logger)
            let service = BanService(backend: backend, policy: BanPolicy(config: config, ignoreList: ignore, protection: protection),
                                     blockedFile: config.blockedFile.map(BlockedFile.init(path:)), ledger: ledger, logger: logger)
            outcome = .success(try await body(OfflineBans(commands: BanCommands(bans: service), protection: protection, ignoreProblem: ignoreProblem)))
            ledger.save()
        } catch {
            outcome = .failure(error)
        }
        await backend.shutdown()
        return try outcome.get()
    }

    /// IGNORE_FILE and, as the daemon reads it, IGNORE_FILE.static; or why it cannot be read.
    private static func ignoreList(_ config: Config) -> (IgnoreList, String?) {
        guard let path = config.ignoreFile else { return (.empty, nil) }
        do {
            return (try IgnoreList.load(paths: [path, path + ".static"]).0, nil)
        } catch {
            return (.empty, "\(error)")
        }
    }

    /// This host's protected addresses for `config`, read once.
    static func protection(_ config: Config) throws(CtlFailure) -> HostProtection {
        do {
            return HostProtection(HostProtection.Settings(configured: try config.protectedNetworks().networks,
                                                          automatic: config.protectAuto, sshPorts: config.protectSSHPorts))
        } catch {
            throw CtlFailure("\(error)")
        }
    }

    func list() -> ControlResponse {
        .bans(commands.list())
    }

    func block(_ order: BlockOrder) async throws(CtlFailure) -> ControlResponse {
        if let ignoreProblem, !order.force { throw CtlFailure("\(ignoreProblem) (use --force to block without checking it)") }
        do {
            return .results(try await commands.block(order))
        } catch {
            throw CtlFailure(error.description)
        }
    }

    func explain(_ target: CIDR) -> ControlResponse {
        .explanation(commands.explain(target))
    }

    func unblock(_ targets: [CIDR]) async throws(CtlFailure) -> ControlResponse {
        do {
            return .results(try await commands.unblock(targets).results)
        } catch {
            throw CtlFailure(error.description)
        }
    }

    func flush() async throws(CtlFailure) -> ControlResponse {
        do {
            return .flushed(try await commands.flush().count)
        } catch {
            throw CtlFailure(error.description)
        }
    }
}
