/// What became of one probe, in one word: the `result` of its EVENT_LOG line (docs/events.md).
public enum ProbeResult: String, Sendable, Hashable, CaseIterable {
    /// In the ignore file, or self traffic (the scan line's `ignored: [true]`).
    case ignored
    /// Counted, below SCAN_TRIGGER.
    case untriggered
    /// Triggered, and BLOCK_TCP/BLOCK_UDP is `0` (log only).
    case logOnly = "log_only"
    /// Triggered and banned now (or KILL_RUN_CMD ran): the scan line's `blocked: [true]`.
    case blocked
    /// From a source that is banned (or listed in BLOCKED_FILE) already.
    case alreadyBlocked = "already_blocked"
    /// Triggered, but the source is protected (PROTECT, PROTECT_AUTO).
    case protected
    /// Triggered, but BAN_RATE_LIMIT's bans for this second are used up.
    case rateLimited = "rate_limited"
    /// Triggered under DRY_RUN: the ban was only simulated.
    case dryRun = "dry_run"
    /// Triggered, and the ban (or KILL_RUN_CMD) failed.
    case failed
    /// Stealth mode: a service listens on the port, so the packet is no probe (logged at most
    /// once a minute per source and port, as its line is).
    case serviceRunning = "service_running"
    /// Stealth mode: a UDP datagram answering a flow this host opened (at most once a minute per
    /// source and port, as its `-v` line is).
    case ownFlow = "own_flow"
}
