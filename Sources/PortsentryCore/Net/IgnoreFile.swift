/// Reading ignore files (docs/configuration.md "Ignore file").
extension IgnoreList {
    /// Parses ignore-file text: one IPv4/IPv6 address or CIDR per line; `#` starts a comment
    /// (whole line or trailing); blank lines, CRLF, surrounding blanks, uppercase hex and a last
    /// line without newline are fine. A network with host bits set is masked and reported in
    /// `warnings` (`<path>:<line>: ...`). Anything else on a line is a fatal error naming it.
    public static func parse(_ text: String, path: String) throws(ConfigError) -> (IgnoreList, warnings: [String]) {
        var networks: [CIDR] = []
        var warnings: [String] = []
        for (number, line) in TextLines.split(text) {
            let content = Substring(line.unicodeScalars.prefix { $0 != "#" }).trimmingBlanks
            if content.isEmpty { continue }
            guard !content.unicodeScalars.contains(where: { $0 == " " || $0 == "\t" }) else {
                throw ConfigError(path: path, line: number,
                                  "\(String(content).quotedForMessage) holds more than one entry; write one address or network per line")
            }
            do {
                let (cidr, hadHostBits) = try CIDR.parse(content)
                if hadHostBits {
                    warnings.append("\(path):\(number): \(content) has host bits set; using \(cidr.network)/\(cidr.prefixLength)")
                }
                networks.append(cidr)
            } catch {
                throw ConfigError(path: path, line: number, error.message)
            }
        }
        return (IgnoreList(networks), warnings)
    }

    /// Reads one ignore file (IGNORE_FILE). A missing or unreadable file is an error.
    public static func load(path: String) throws(ConfigError) -> (IgnoreList, warnings: [String]) {
        try list(from: TextFile.contents(of: path), path: path)
    }

    /// Reads IGNORE_FILE (it must exist) together with `<IGNORE_FILE>.static` when that exists,
    /// the layout of Debian's package (`portsentry.ignore` + `portsentry.ignore.static`).
    public static func load(ignoreFile path: String) throws(ConfigError) -> (IgnoreList, warnings: [String]) {
        let (main, warnings) = try load(path: path)
        let companion = path + ".static"
        let contents = TextFile.contents(of: companion)
        if contents == .missing { return (main, warnings) }
        let (extra, extraWarnings) = try list(from: contents, path: companion)
        return (main.merging(extra), warnings + extraWarnings)
    }

    /// Reads several ignore files into one list, like Debian's `portsentry.ignore.static` plus the
    /// generated `portsentry.ignore`. A missing file is skipped with a warning (a generated file may
    /// not exist yet); an unreadable or malformed file is an error.
    public static func load(paths: [String]) throws(ConfigError) -> (IgnoreList, warnings: [String]) {
        var networks: [CIDR] = []
        var warnings: [String] = []
        for path in paths {
            let contents = TextFile.contents(of: path)
            if contents == .missing {
                warnings.append("\(path): ignore file not found; skipping it")
                continue
            }
            let (list, fileWarnings) = try list(from: contents, path: path)
            networks += list.entries
            warnings += fileWarnings
        }
        return (IgnoreList(networks), warnings)
    }

    private static func list(from contents: TextFile.Outcome, path: String) throws(ConfigError) -> (IgnoreList, warnings: [String]) {
        switch contents {
        case .text(let text): return try parse(text, path: path)
        case .missing: throw ConfigError(path: path, "ignore file not found; create it (it may be empty) or fix IGNORE_FILE")
        case .unreadable(let reason):
            throw ConfigError(path: path, "cannot read the ignore file (\(reason)); check its permissions and that it is a regular file")
        }
    }
}

extension Config {
    /// PROTECT with the entries of PROTECT_FILE (the ignore file's format; it must exist when named).
    public func protectedNetworks() throws(ConfigError) -> (networks: [CIDR], warnings: [String]) {
        guard let protectFile else { return (protect, []) }
        switch TextFile.contents(of: protectFile) {
        case .text(let text):
            let (list, warnings) = try IgnoreList.parse(text, path: protectFile)
            return (protect + list.entries, warnings)
        case .missing:
            throw ConfigError(path: protectFile, "protect file not found; create it (it may be empty) or fix PROTECT_FILE")
        case .unreadable(let reason):
            throw ConfigError(path: protectFile, "cannot read the protect file (\(reason)); check its permissions and that it is a regular file")
        }
    }
}
