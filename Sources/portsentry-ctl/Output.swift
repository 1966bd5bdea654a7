#if canImport(Glibc)
import Glibc
#endif

/// Where portsentry-ctl writes: results on stdout, diagnostics on stderr prefixed with the program name.
enum Output {
    static func line(_ text: String) {
        print(text)
    }

    static func error(_ text: String) {
        toStandardError("portsentry-ctl: \(text)\n")
    }

    /// Whether stdin is a terminal (someone who can answer a question).
    static var isInteractive: Bool { isatty(0) == 1 }

    private static func toStandardError(_ text: String) {
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            guard n > 0 else { return }
            written += n
        }
    }

    /// Asks a yes/no question on stderr; true only for an answer starting with `y`.
    static func confirm(_ question: String) -> Bool {
        toStandardError("\(question) [y/N] ")
        guard let answer = readLine() else { return false }
        return answer.lowercased().hasPrefix("y")
    }
}
