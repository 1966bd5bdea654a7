/// A fatal problem in a config or ignore file, printed as one line:
/// `<file>:<line>: <what is wrong>; <how to fix it>` (without `<line>:` when no line is to blame).
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file the problem is in.
    public var path: String
    /// 1-based line number, nil when the problem is about the whole file.
    public var line: Int?
    public var message: String

    public init(path: String, line: Int? = nil, _ message: String) {
        self.path = path; self.line = line; self.message = message
    }

    public var description: String {
        if let line { return "\(path):\(line): \(message)" }
        return "\(path): \(message)"
    }
}
