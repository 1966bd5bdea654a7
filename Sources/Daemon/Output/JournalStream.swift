import Glibc

/// Whether stdout or stderr is connected to systemd's journal: systemd sets `JOURNAL_STREAM` to
/// `<device>:<inode>` of that stream (systemd.exec(5)); a process whose output was redirected
/// elsewhere keeps the variable but not the stream, so both are compared.
public enum JournalStream {
    /// Whether `fd` is the stream `JOURNAL_STREAM` names.
    static func isJournal(_ fd: Int32, variable: String? = getenv("JOURNAL_STREAM").map { String(cString: $0) }) -> Bool {
        guard let variable else { return false }
        let parts = variable.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return false }
        return UInt64(st.st_dev) == device && UInt64(st.st_ino) == inode
    }

    /// The `<N>` prefix journald reads as a line's priority (sd-daemon(3)): `<3>` error,
    /// `<4>` warning, `<5>` notice (the classic lines), `<6>` info, `<7>` debug.
    static func prefix(_ level: Int32) -> String { "<\(level)>" }

    /// `prefix(priority)` when `fd` is the journal, else nothing: for the lines written before
    /// logging starts (the version line, command-line and config errors).
    public static func prefix(fd: Int32, priority: Int32) -> String { isJournal(fd) ? prefix(priority) : "" }
}
