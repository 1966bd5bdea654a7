/// Splits config and ignore-file text into numbered lines: LF or CRLF line ends, a leading
/// byte order mark dropped, the last line with or without a newline.
enum TextLines {
    static func split(_ text: String) -> [(number: Int, text: Substring)] {
        var scalars = Substring(text).unicodeScalars
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        return scalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { index, line in
            (index + 1, Substring(line.last == "\r" ? line.dropLast() : line))
        }
    }
}
