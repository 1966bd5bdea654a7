/// One `KEY="value"` assignment read from a config file.
struct ConfigEntry: Sendable, Hashable {
    var key: ConfigKey
    /// The text between the first and the last `"` of the line (blanks trimmed unless the key keeps them).
    var value: String
    var line: Int
}

/// The line grammar of portsentry.conf (docs/configuration.md).
enum ConfigLine {
    /// Every assignment in `text`, in file order; comment and blank lines are skipped.
    static func entries(in text: String, path: String) throws(ConfigError) -> [ConfigEntry] {
        var entries: [ConfigEntry] = []
        for (number, line) in TextLines.split(text) {
            if let entry = try entry(String(line), number: number, path: path) { entries.append(entry) }
        }
        return entries
    }

    private static func entry(_ line: String, number: Int, path: String) throws(ConfigError) -> ConfigEntry? {
        func fail(_ message: String) -> ConfigError { ConfigError(path: path, line: number, message) }
        let scalars = line.unicodeScalars
        let isBlank: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = scalars.firstIndex(where: { !isBlank($0) }), scalars[start] != "#" else { return nil }

        let keyEnd = scalars[start...].firstIndex(where: { isBlank($0) || $0 == "=" }) ?? scalars.endIndex
        let key = String(scalars[start..<keyEnd])
        guard !key.isEmpty else { throw fail("missing key before \"=\"; write KEY=\"value\"") }
        guard let equals = scalars[keyEnd...].firstIndex(where: { !isBlank($0) }), scalars[equals] == "=" else {
            throw fail("expected KEY=\"value\", found \(line.quotedForMessage); add \"=\" and the quoted value, or start the line with # to make it a comment")
        }
        let afterEquals = scalars.index(after: equals)
        let keyText = key.escapedForMessage
        guard let open = scalars[afterEquals...].firstIndex(where: { !isBlank($0) }), scalars[open] == "\"" else {
            throw fail("the value of \(keyText) must be in double quotes; write \(keyText)=\"...\"")
        }
        let valueStart = scalars.index(after: open)
        guard let close = scalars[valueStart...].lastIndex(of: "\"") else {
            throw fail("missing closing \" at the end of the value of \(keyText); add it")
        }
        let trailer = String(scalars[scalars.index(after: close)...]).trimmingBlanks
        guard trailer.isEmpty || trailer.hasPrefix("#") else {
            throw fail("unexpected text \(String(trailer).quotedForMessage) after the closing quote; only a # comment may follow the value")
        }
        guard let known = ConfigKey(rawValue: key) else {
            let hint = ConfigKey.suggestion(for: key).map { "did you mean \"\($0.rawValue)\"?" }
                ?? "check the spelling against docs/configuration.md"
            throw fail("unknown key \(key.quotedForMessage); \(hint)")
        }
        let raw = String(scalars[valueStart..<close])
        return ConfigEntry(key: known, value: known.keepsBlanks ? raw : String(raw.trimmingBlanks), line: number)
    }
}
