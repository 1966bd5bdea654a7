extension ConfigParser {
    /// The value of `key` in the config file at `path`, skipping every line that does not parse
    /// (the last valid assignment wins); nil when the file is unreadable or has none.
    /// portsentry-ctl uses it to find CONTROL_SOCKET in a config the daemon would reject, so
    /// that `reload` can still report why.
    public static func lenientValue(of key: ConfigKey, path: String) -> String? {
        guard case .text(let text) = TextFile.contents(of: path) else { return nil }
        var value: String?
        for (_, line) in TextLines.split(text) {
            guard let entries = try? ConfigLine.entries(in: String(line), path: path) else { continue }
            for entry in entries where entry.key == key { value = entry.value }
        }
        return value
    }
}
