#if canImport(Glibc)
import Glibc
#endif

/// The terminal of the live view: keys unbuffered and unechoed (raw input: Ctrl-C arrives as a
/// key, Ctrl-Z does nothing), the alternate screen, a hidden cursor. `restore()` puts back the
/// modes, the screen and the cursor as they were.
final class Terminal {
    private var saved = termios()
    /// Whether standard input is a terminal whose modes were changed.
    let readsKeys: Bool

    /// Switches standard output to the alternate screen, and standard input (if a terminal) to raw input.
    init() {
        var raw = termios()
        if isatty(0) == 1, tcgetattr(0, &saved) == 0 {
            raw = saved
            raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
            raw.c_iflag &= ~tcflag_t(IXON | ICRNL)
            readsKeys = tcsetattr(0, TCSANOW, &raw) == 0
        } else {
            readsKeys = false
        }
        Output.write("\u{1B}[?1049h\u{1B}[?25l", to: 1)
    }

    /// Leaves the alternate screen, shows the cursor and restores the input modes.
    func restore() {
        Output.write("\u{1B}[?25h\u{1B}[?1049l", to: 1)
        if readsKeys { _ = tcsetattr(0, TCSANOW, &saved) }
    }

    /// The screen's size now; 80×24 if it cannot be read.
    static func size() -> (columns: Int, rows: Int) {
        var w = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &w) == 0, w.ws_col > 0, w.ws_row > 0 else { return (80, 24) }
        return (Int(w.ws_col), Int(w.ws_row))
    }

    /// Draws `lines` from the top left, each line cleared to its end, the rest of the screen cleared.
    func draw(_ lines: [String]) {
        Output.write("\u{1B}[H" + lines.map { $0 + "\u{1B}[K" }.joined(separator: "\r\n") + "\u{1B}[J", to: 1)
    }
}
