import Glibc

extension EventLog {
    /// Where the lines go: a file, or stdout beside the classic lines (`EVENT_LOG="-"`).
    enum Destination: Sendable, Hashable {
        case file(String)
        case stdout

        /// EVENT_LOG's value; nil when it is unset (no event log).
        init?(_ value: String?) {
            guard let value, !value.isEmpty else { return nil }
            self = value == "-" ? .stdout : .file(value)
        }

        /// How the log names it: `event log /var/lib/portsentry/events.jsonl`.
        var name: String {
            switch self {
            case .file(let path): "event log \(path)"
            case .stdout: "event log (stdout)"
            }
        }

        /// Appends `lines` (each ending in a newline); returns the errno on failure. A file is
        /// opened for the call; stdout gets one write per line, so the classic lines that other
        /// threads write stay whole.
        func append(_ lines: [[UInt8]]) -> Int32? {
            switch self {
            case .file(let path): FileAppend.append(Array(lines.joined()), to: path)
            case .stdout: lines.lazy.compactMap { FileAppend.writeAll(STDOUT_FILENO, $0) }.first
            }
        }
    }
}
