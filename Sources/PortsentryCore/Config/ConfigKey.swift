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
    case eventLog = "EVENT_LOG"
    case blockedFile = "BLOCKED_FILE"
    case portBanner = "PORT_BANNER"
    case advancedPortsTCP = "ADVANCED_PORTS_TCP"
    case advancedPortsUDP = "ADVANCED_PORTS_UDP"
    case advancedExcludeTCP = "ADVANCED_EXCLUDE_TCP"
    case advancedExcludeUDP = "ADVANCED_EXCLUDE_UDP"
    case blockBackend = "BLOCK_BACKEND"
    case banTime = "BAN_TIME"
    case banTimeIncrement = "BAN_TIME_INCREMENT"
    case banTimeMax = "BAN_TIME_MAX"
    case offenceMemory = "OFFENCE_MEMORY"
    case scanWindow = "SCAN_WINDOW"
    case scanTriggerPorts = "SCAN_TRIGGER_PORTS"
    case nftTable = "NFT_TABLE"
    case nftHook = "NFT_HOOK"
    case nftSetSize = "NFT_SET_SIZE"
    case ipv4BanPrefix = "IPV4_BAN_PREFIX"
    case ipv6BanPrefix = "IPV6_BAN_PREFIX"
    case kernelBan = "KERNEL_BAN"
    case banRateAlarm = "BAN_RATE_ALARM"
    case banRateLimit = "BAN_RATE_LIMIT"
    case controlSocket = "CONTROL_SOCKET"
    case controlGroup = "CONTROL_GROUP"
    case stateFile = "STATE_FILE"
    case dryRun = "DRY_RUN"
    case protect = "PROTECT"
    case protectFile = "PROTECT_FILE"
    case protectAuto = "PROTECT_AUTO"
    case protectSSHPorts = "PROTECT_SSH_PORTS"
    // Fleet bans through CrowdSec's Local API (docs/crowdsec.md).
    case crowdsecLAPIURL = "CROWDSEC_LAPI_URL"
    case crowdsecCAFile = "CROWDSEC_CA_FILE"
    case crowdsecMachineID = "CROWDSEC_MACHINE_ID"
    case crowdsecPassword = "CROWDSEC_PASSWORD"
    case crowdsecCredentials = "CROWDSEC_CREDENTIALS"
    case crowdsecAPIKey = "CROWDSEC_API_KEY"
    case crowdsecAPIKeyFile = "CROWDSEC_API_KEY_FILE"
    case crowdsecPush = "CROWDSEC_PUSH"
    case crowdsecPull = "CROWDSEC_PULL"
    case crowdsecPullInterval = "CROWDSEC_PULL_INTERVAL"
    case crowdsecOrigins = "CROWDSEC_ORIGINS"
    case crowdsecOrigin = "CROWDSEC_ORIGIN"
    case crowdsecPushUnblock = "CROWDSEC_PUSH_UNBLOCK"
    case crowdsecQueueFile = "CROWDSEC_QUEUE_FILE"
    // The Prometheus endpoint (docs/metrics.md).
    case metricsListen = "METRICS_LISTEN"

    /// The known key a misspelt `name` most likely meant, or nil when none is close.
    /// A key that `name` is a prefix of wins (upstream accepted prefixes); otherwise the
    /// smallest case-insensitive edit distance, at most a third of the name's length (and at least 2).
    public static func suggestion(for name: String) -> ConfigKey? {
        let typed = Array(name.uppercased().utf8)
        if typed.count >= 3, let prefixed = spellings.first(where: { $0.bytes.starts(with: typed) }) {
            return prefixed.key
        }
        let limit = max(2, typed.count / 3)
        var best: (key: ConfigKey, distance: Int)? = nil
        for (key, bytes) in spellings where abs(bytes.count - typed.count) <= limit {
            let d = editDistance(typed, bytes, limit: limit)
            if d <= limit, d < (best?.distance ?? .max) { best = (key, d) }
        }
        return best?.key
    }

    private static let spellings = allCases.map { (key: $0, bytes: Array($0.rawValue.utf8)) }
}

/// Levenshtein distance between byte strings (insert, delete, substitute each cost 1); once
/// every path costs more than `limit`, stops and returns `limit + 1`.
func editDistance(_ a: [UInt8], _ b: [UInt8], limit: Int = .max) -> Int {
    if a.isEmpty { return b.count > limit ? limit + 1 : b.count }
    var previous = [Int](repeating: 0, count: b.count + 1)
    var j = 0
    while j <= b.count { previous[j] = j; j += 1 }
    var current = previous
    var i = 1
    while i <= a.count {
        current[0] = i
        var rowMinimum = i
        j = 1
        while j <= b.count {
            let substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            let cost = Swift.min(substitute, previous[j] + 1, current[j - 1] + 1)
            current[j] = cost
            if cost < rowMinimum { rowMinimum = cost }
            j += 1
        }
        if rowMinimum > limit { return limit + 1 }
        swap(&previous, &current)
        i += 1
    }
    return previous[b.count] > limit ? limit + 1 : previous[b.count]
}
