#if canImport(Glibc)
import Glibc
#endif

/// Where portsentry-ctl writes: results on stdout, diagnostics on stderr prefixed with the program name.
enum Output {
    static func line(_ text: String) {
        print(text)
    }

    static func error(_ text: String) {
        write("portsentry-ctl: \(text)\n", to: 2)
    }

    /// Whether stdin is a terminal (someone who can answer a question).
    static var isInteractive: Bool { isatty(0) == 1 }

    /// Whether the locale's character set is UTF-8 (otherwise `stats` and `top` keep to ASCII).
    static let speaksUTF8: Bool = {
        setlocale(LC_CTYPE, "")
        return String(cString: nl_langinfo(nl_item(CODESET))) == "UTF-8"
    }()

    /// Writes all of `text` to descriptor `fd` (unbuffered), unless it fails.
    static func write(_ text: String, to fd: Int32) {
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return }
            written += n
        }
    }

    /// Asks a yes/no question on stderr; true only for an answer starting with `y`.
    static func confirm(_ question: String) -> Bool {
        write("\(question) [y/N] ", to: 2)
        guard let answer = readLine() else { return false }
        return answer.lowercased().hasPrefix("y")
    }
}
