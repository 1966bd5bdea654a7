import Glibc
import Logging
import Synchronization

/// swift-log handler that writes portsentry 2.x's plain lines: stdout (flushed per line;
/// `.error` and `.warning` to stderr; `.debug` prefixed `debug: `) and/or syslog with ident
/// `portsentry`, facility daemon. Levels: `.notice` normal lines, `.info` verbose (`-v`),
/// `.debug` debug (`-d`). When stdout/stderr is systemd's journal (`JOURNAL_STREAM`), each line
/// starts with its syslog priority (`<3>` … `<7>`), which journald takes off and records, so
/// `journalctl -p warning` works; anywhere else the lines are unchanged.
public struct LineLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let toStdout: Bool
    private let toSyslog: Bool
    /// Per stream (stdout, stderr): whether it is the journal.
    private let journal: (out: Bool, err: Bool)

    /// One lock for every handler, so lines from different threads never interleave.
    private static let writeLock = Mutex(())
    private static let syslogOpened = Mutex(false)

    public init(level: Logger.Level, stdout: Bool, syslog: Bool) {
        logLevel = level
        toStdout = stdout
        toSyslog = syslog
        journal = (JournalStream.isJournal(STDOUT_FILENO), JournalStream.isJournal(STDERR_FILENO))
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let text = event.level == .debug ? "debug: \(event.message)" : "\(event.message)"
        Self.writeLock.withLock { _ in
            if toStdout {
                let toErr = event.level >= .warning
                let prefix = (toErr ? journal.err : journal.out) ? JournalStream.prefix(Self.priority(event.level)) : ""
                // One write(2) per line: nothing is buffered, so every line is out when the call returns.
                _ = FileAppend.writeAll(toErr ? STDERR_FILENO : STDOUT_FILENO, Array((prefix + text + "\n").utf8))
            }
            if toSyslog {
                Self.syslogOpened.withLock { opened in
                    if !opened { openlog("portsentry", LOG_PID, LOG_DAEMON); opened = true }
                }
                text.withCString { line in withVaList([line]) { vsyslog(Self.priority(event.level), "%s", $0) } }
            }
        }
    }

    static func priority(_ level: Logger.Level) -> Int32 {
        switch level {
        case .trace, .debug: return LOG_DEBUG
        case .info: return LOG_INFO
        case .notice: return LOG_NOTICE
        case .warning: return LOG_WARNING
        case .error: return LOG_ERR
        case .critical: return LOG_CRIT
        }
    }
}
