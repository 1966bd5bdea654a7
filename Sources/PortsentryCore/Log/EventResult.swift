/// What became of one probe event: the `result` label of `portsentry_events_total`
/// (docs/metrics.md). Each event gets exactly one.
public enum EventResult: String, CaseIterable, Sendable {
    /// The source is in the ignore file, or it is this host talking to itself.
    case ignored
    /// Counted, but below SCAN_TRIGGER.
    case untriggered
    /// Triggered with BLOCK_TCP/BLOCK_UDP `0`, or with no blocking method configured.
    case logOnly = "log_only"
    /// The source is protected (PROTECT, PROTECT_AUTO): never banned.
    case protected
    /// BAN_RATE_LIMIT refused the ban.
    case rateLimited = "rate_limited"
    /// The source was banned (or listed in BLOCKED_FILE) already.
    case alreadyBlocked = "already_blocked"
    /// Banned now (or KILL_RUN_CMD succeeded).
    case blocked
    /// DRY_RUN: it would have been banned.
    case dryRun = "dry_run"
    /// Every action tried failed.
    case failed
    /// Stealth mode: a service listens on the port, so the packet is no probe (not logged as a scan).
    case serviceRunning = "service_running"
}
