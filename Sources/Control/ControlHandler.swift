import PortsentryCore
/// What the daemon does for each control request. The server calls these from its own tasks;
/// a thrown error becomes an `ok: false` response carrying the error's description.
public protocol ControlHandler: Sendable {
    func status() async throws -> StatusReport
    /// Active bans, in any order (the client sorts them).
    func list() async throws -> [BanEntry]
    /// One result per target, in request order.
    func block(_ order: BlockOrder) async throws -> [TargetResult]
    /// One result per target, in request order; also resets each source's trigger counter.
    func unblock(_ targets: [CIDR]) async throws -> [TargetResult]
    /// Lifts every ban; returns how many there were.
    func flush() async throws -> Int
    /// Reloads config and ignore file as SIGHUP does.
    func reload() async throws -> ReloadReport
    /// What is never banned now, and why.
    func protected() async throws -> [ProtectedEntry]
    /// What is known of the bans of `target`.
    func explain(_ target: CIDR) async throws -> Explanation
    /// Recent activity for `portsentry-ctl stats` and `top`.
    func activity() async throws -> ActivityReport
}

extension ControlHandler {
    /// Runs `request` and wraps its outcome in a response.
    public func respond(to request: ControlRequest) async -> ControlResponse {
        do {
            switch request {
            case .status: return .status(try await status())
            case .list: return .bans(try await list())
            case .block(let order): return .results(try await block(order))
            case .unblock(let targets): return .results(try await unblock(targets))
            case .flush: return .flushed(try await flush())
            case .reload: return .reload(try await reload())
            case .protected: return .protected(try await protected())
            case .explain(let target): return .explanation(try await explain(target))
            case .activity: return .activity(try await activity())
            }
        } catch {
            return .failure("\(error)")
        }
    }
}
