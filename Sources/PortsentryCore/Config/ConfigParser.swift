/// Reads portsentry.conf: the line grammar, every key's value, and the checks between keys.
public enum ConfigParser {
    /// Parses config text; `path` is only used in messages. `watching` says which port lists
    /// the command line needs (advanced mode needs none of TCP_PORTS/UDP_PORTS).
    public static func parse(_ text: String, path: String, watching: PortWatch = .standard) throws(ConfigError) -> Config {
        var config = Config()
        config.path = path
        for entry in try ConfigLine.entries(in: text, path: path) {
            let binding = entry.key.binding
            if entry.value.isEmpty {
                binding.reset(&config)
                config.lines[entry.key] = nil
                continue
            }
            do {
                try binding.apply(&config, entry.value)
            } catch {
                throw ConfigError(path: path, line: entry.line, "\(entry.key.rawValue): \(error.message)")
            }
            config.lines[entry.key] = entry.line
        }
        try config.validate(watching: watching)
        return config
    }

    /// Reads and parses the file at `path`.
    public static func load(path: String, watching: PortWatch = .standard) throws(ConfigError) -> Config {
        switch TextFile.contents(of: path) {
        case .text(let text):
            return try parse(text, path: path, watching: watching)
        case .missing:
            throw ConfigError(path: path, "config file not found; create it or give its path with -c")
        case .unreadable(let reason):
            throw ConfigError(path: path, "cannot read the config file (\(reason)); check its permissions and that it is a regular file")
        }
    }
}
