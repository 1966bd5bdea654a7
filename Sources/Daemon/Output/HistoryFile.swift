import Glibc

/// HISTORY_FILE: `<timestamp> <scan line>` per event, appended; the file is opened per write
/// so logrotate can move it away at any time.
public struct HistoryFile: Sendable {
    public let path: String
    public init(path: String) { self.path = path }

    /// Appends one line; returns the errno on failure.
    public func append(_ line: String, at time: timespec = HistoryFile.now()) -> Int32? {
        FileAppend.append(Array((Self.timestamp(time) + " " + line + "\n").utf8), to: path)
    }

    public static func now() -> timespec {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return t
    }

    /// Local time with milliseconds and numeric zone: `2026-11-21T23:06:37.403+0000`.
    public static func timestamp(_ time: timespec) -> String {
        var seconds = time.tv_sec
        var parts = tm()
        localtime_r(&seconds, &parts)
        var date = [CChar](repeating: 0, count: 32)
        var zone = [CChar](repeating: 0, count: 16)
        strftime(&date, date.count, "%Y-%m-%dT%H:%M:%S", &parts)
        strftime(&zone, zone.count, "%z", &parts)
        let ms = Int(time.tv_nsec / 1_000_000)
        let msText = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
        return String(nulTerminated: date) + "." + msText + String(nulTerminated: zone)
    }
}
