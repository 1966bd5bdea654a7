/// Every key a config file may set, spelled exactly as in the file.
public enum ConfigKey: String, CaseIterable, Sendable, Hashable {
    case tcpPorts = "TCP_PORTS"
    case udpPorts = "UDP_PORTS"
    case blockTCP = "BLOCK_TCP"
    case blockUDP = "BLOCK_UDP"
    case killRoute = "KILL_ROUTE"
    case killHostsDeny = "KILL_HOSTS_DENY"
    case killRunCmd = "KILL_RUN_CMD"
    case killRunCmdFirst = "KILL_RUN_CMD_FIRST"
    case scanTrigger = "SCAN_TRIGGER"
    case resolveHost = "RESOLVE_HOST"
    case ignoreFile = "IGNORE_FILE"
    case historyFile = "HISTORY_FILE"
    case blockedFile = "BLOCKED_FILE"
    case portBanner = "PORT_BANNER"
    case advancedPortsTCP = "ADVANCED_PORTS_TCP"
    case advancedPortsUDP = "ADVANCED_PORTS_UDP"
    case advancedExcludeTCP = "ADVANCED_EXCLUDE_TCP"
    case advancedExcludeUDP = "ADVANCED_EXCLUDE_UDP"
    case blockBackend = "BLOCK_BACKEND"
    case banTime = "BAN_TIME"
    case nftTable = "NFT_TABLE"
    case nftHook = "NFT_HOOK"
    case nftSetSize = "NFT_SET_SIZE"
    case controlSocket = "CONTROL_SOCKET"
    case controlGroup = "CONTROL_GROUP"
    case stateFile = "STATE_FILE"

    /// The known key a misspelt `name` most likely meant, or nil when none is close.
    /// A key that `name` is a prefix of wins (upstream accepted prefixes); otherwise the
    /// smallest case-insensitive edit distance, at most a third of the name's length (and at least 2).
    public static func suggestion(for name: String) -> ConfigKey? {
        let upper = name.uppercased()
        if upper.count >= 3, let prefixed = allCases.first(where: { $0.rawValue.hasPrefix(upper) }) {
            return prefixed
        }
        let limit = max(2, upper.count / 3)
        var best: (key: ConfigKey, distance: Int)? = nil
        for key in allCases {
            let d = editDistance(Array(upper.unicodeScalars), Array(key.rawValue.unicodeScalars))
            if d <= limit, d < (best?.distance ?? .max) { best = (key, d) }
        }
        return best?.key
    }
}

/// Levenshtein distance (insert, delete, substitute each cost 1).
func editDistance<T: Equatable>(_ a: [T], _ b: [T]) -> Int {
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    var current = previous
    for i in 1...a.count {
        current[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            let substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            current[j] = min(substitute, previous[j] + 1, current[j - 1] + 1)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
