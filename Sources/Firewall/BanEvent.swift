import PortsentryCore

/// What happened to a ban, published by the ban service to its observers in the order it
/// happened: the attackalert lines, and later metrics, JSON events and fleet sharing.
public enum BanEvent: Sendable, Hashable {
    /// A decision was applied: banned, refreshed, failed or simulated (`result.status`).
    case applied(BanResult)
    /// The ban policy refused a ban of `target` from `origin`.
    case refused(target: CIDR, origin: BanOrigin, BanRefusal)
    /// A ban ended.
    case released(BanRelease)
}

/// Receives ban events. Called on the backend's thread, in order: must not block for long.
public protocol BanObserver: Sendable {
    func observe(_ event: BanEvent)
}
