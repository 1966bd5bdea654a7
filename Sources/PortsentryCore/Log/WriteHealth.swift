import Glibc

/// Whether writes to one output file (HISTORY_FILE, BLOCKED_FILE) work. A full disk or a
/// read-only directory fails every write: that is logged once when it starts, not on every
/// event, and once more when writing works again, with the number of writes that failed.
public struct WriteHealth: Sendable {
    /// A line to log about the file.
    public struct Report: Sendable, Equatable {
        public let line: String
        /// Writing started to fail (an error), or works again (a notice).
        public let isFailure: Bool
    }

    /// Writes failed since the first failure; 0 while writing works.
    public private(set) var failures = 0

    public init() {}

    public var isFailing: Bool { failures > 0 }

    /// Records one write of `file` (`history file /var/lib/portsentry/portsentry.history`) that
    /// failed with `code`, or worked (nil); returns what to log, if anything.
    public mutating func record(_ file: String, errno code: Int32?) -> Report? {
        if let code {
            failures += 1
            guard failures == 1 else { return nil }
            return Report(line: "Unable to write \(file): \(String(cString: strerror(code))); banning goes on, and this is not logged again until writing works",
                          isFailure: true)
        }
        guard failures > 0 else { return nil }
        defer { failures = 0 }
        return Report(line: "\(file) is written again (\(failures) writes had failed)", isFailure: false)
    }
}
