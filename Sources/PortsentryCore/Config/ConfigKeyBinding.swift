/// How one key reads its value into a `Config`, and how an empty value puts the default back.
struct KeyBinding {
    let apply: (inout Config, String) throws(ValueError) -> Void
    let reset: (inout Config) -> Void

    /// A key stored in one field of `Config`.
    static func field<T>(_ path: WritableKeyPath<Config, T>,
                         _ parse: @escaping (String) throws(ValueError) -> T) -> KeyBinding {
        KeyBinding(apply: { config, text throws(ValueError) in config[keyPath: path] = try parse(text) },
                   reset: { $0[keyPath: path] = Config()[keyPath: path] })
    }
}

extension ConfigKey {
    /// Whether surrounding blanks belong to the value (only the banner keeps them).
    var keepsBlanks: Bool { self == .portBanner }

    var binding: KeyBinding {
        switch self {
        case .tcpPorts: .field(\.tcpPorts) { text throws(ValueError) in try PortSet.parse(text) }
        case .udpPorts: .field(\.udpPorts) { text throws(ValueError) in try PortSet.parse(text) }
        case .advancedExcludeTCP: .field(\.advancedExcludeTCP) { text throws(ValueError) in try PortSet.parse(text) }
        case .advancedExcludeUDP: .field(\.advancedExcludeUDP) { text throws(ValueError) in try PortSet.parse(text) }
        case .advancedPortsTCP: .field(\.advancedPortsTCP) { text throws(ValueError) in try PortSet.parsePort(text) }
        case .advancedPortsUDP: .field(\.advancedPortsUDP) { text throws(ValueError) in try PortSet.parsePort(text) }
        case .blockTCP: .field(\.blockTCP) { text throws(ValueError) in try ConfigValue.blockMode(text) }
        case .blockUDP: .field(\.blockUDP) { text throws(ValueError) in try ConfigValue.blockMode(text) }
        case .killRoute:
            .field(\.killRoute) { text throws(ValueError) in try ConfigValue.command(text, needsTarget: true) }
        case .killHostsDeny:
            .field(\.killHostsDeny) { text throws(ValueError) in try ConfigValue.command(text, needsTarget: true) }
        case .killRunCmd:
            .field(\.killRunCmd) { text throws(ValueError) in try ConfigValue.command(text, needsTarget: false) }
        case .killRunCmdFirst: .field(\.killRunCmdFirst) { text throws(ValueError) in try ConfigValue.flag(text) }
        case .protect: .field(\.protect) { text throws(ValueError) in try ConfigValue.networks(text) }
        case .protectFile: .field(\.protectFile) { text throws(ValueError) in try ConfigValue.text(text) }
        case .protectAuto: .field(\.protectAuto) { text throws(ValueError) in try ConfigValue.flag(text) }
        case .protectSSHPorts: .field(\.protectSSHPorts) { text throws(ValueError) in try PortSet.parse(text) }
        case .dryRun: .field(\.dryRun) { text throws(ValueError) in try ConfigValue.flag(text) }
        case .resolveHost: .field(\.resolveHost) { text throws(ValueError) in try ConfigValue.flag(text) }
        case .scanTrigger: .field(\.scanTrigger) { text throws(ValueError) in try ConfigValue.count(text, minimum: 0) }
        case .nftSetSize: .field(\.nftSetSize) { text throws(ValueError) in try ConfigValue.count(text, minimum: 1) }
        case .ipv4BanPrefix: .field(\.banPrefixes.v4) { text throws(ValueError) in try ConfigValue.banPrefix(text, .inet) }
        case .ipv6BanPrefix: .field(\.banPrefixes.v6) { text throws(ValueError) in try ConfigValue.banPrefix(text, .inet6) }
        case .banRateAlarm:
            .field(\.banRateAlarm) { text throws(ValueError) in try ConfigValue.count(text, minimum: 0, maximum: Config.banRateMaximum) }
        case .banRateLimit:
            .field(\.banRateLimit) { text throws(ValueError) in try ConfigValue.count(text, minimum: 1, maximum: Config.banRateMaximum) }
        case .ignoreFile: .field(\.ignoreFile) { text throws(ValueError) in try ConfigValue.text(text) }
        case .historyFile: .field(\.historyFile) { text throws(ValueError) in try ConfigValue.text(text) }
        case .eventLog: .field(\.eventLog) { text throws(ValueError) in try ConfigValue.text(text) }
        case .blockedFile: .field(\.blockedFile) { text throws(ValueError) in try ConfigValue.text(text) }
        case .portBanner: .field(\.portBanner) { text throws(ValueError) in try ConfigValue.text(text) }
        case .controlSocket: .field(\.controlSocket) { text throws(ValueError) in try ConfigValue.text(text) }
        case .controlGroup: .field(\.controlGroup) { text throws(ValueError) in try ConfigValue.text(text) }
        case .stateFile: .field(\.stateFile) { text throws(ValueError) in try ConfigValue.text(text) }
        case .blockBackend:
            .field(\.blockBackend) { text throws(ValueError) in try ConfigValue.choice(text, BackendChoice.self) }
        case .nftHook: .field(\.nftHook) { text throws(ValueError) in try ConfigValue.choice(text, NftHook.self) }
        case .kernelBan: .field(\.kernelBan) { text throws(ValueError) in try ConfigValue.choice(text, KernelBanChoice.self) }
        case .nftTable: .field(\.nftTable) { text throws(ValueError) in try ConfigValue.nftIdentifier(text) }
        case .banTime: .field(\.banTime) { text throws(ValueError) in try BanDuration.parse(text).seconds }
        case .banTimeIncrement: .field(\.banTimeIncrement) { text throws(ValueError) in try ConfigValue.factor(text) }
        case .banTimeMax: .field(\.banTimeMax) { text throws(ValueError) in try ConfigValue.span(text, maximum: BanDuration.maximum.seconds) }
        case .offenceMemory: .field(\.offenceMemory) { text throws(ValueError) in try BanDuration.parse(text).seconds }
        case .scanWindow: .field(\.scanWindow) { text throws(ValueError) in try ConfigValue.span(text, maximum: 30 * 86_400) }
        case .scanTriggerPorts: .field(\.scanTriggerPorts) { text throws(ValueError) in try ConfigValue.flag(text) }
        case .crowdsecLAPIURL: .field(\.crowdsec.url) { text throws(ValueError) in try ConfigValue.httpURL(text) }
        case .crowdsecCAFile: .field(\.crowdsec.caFile) { text throws(ValueError) in try ConfigValue.text(text) }
        case .crowdsecMachineID: .field(\.crowdsec.machineID) { text throws(ValueError) in try ConfigValue.text(text) }
        case .crowdsecPassword: .field(\.crowdsec.password) { text throws(ValueError) in try ConfigValue.text(text) }
        case .crowdsecCredentials: .field(\.crowdsec.credentialsFile) { text throws(ValueError) in try ConfigValue.text(text) }
        case .crowdsecAPIKey: .field(\.crowdsec.apiKey) { text throws(ValueError) in try ConfigValue.text(text) }
        case .crowdsecAPIKeyFile: .field(\.crowdsec.apiKeyFile) { text throws(ValueError) in try ConfigValue.text(text) }
        case .crowdsecPush: .field(\.crowdsec.push) { text throws(ValueError) in try ConfigValue.flag(text) }
        case .crowdsecPull: .field(\.crowdsec.pull) { text throws(ValueError) in try ConfigValue.flag(text) }
        case .crowdsecPullInterval:
            .field(\.crowdsec.pullInterval) { text throws(ValueError) in try ConfigValue.interval(text) }
        case .crowdsecOrigins: .field(\.crowdsec.origins) { text throws(ValueError) in try ConfigValue.names(text) }
        case .crowdsecOrigin: .field(\.crowdsec.origin) { text throws(ValueError) in try ConfigValue.name(text) }
        case .crowdsecPushUnblock: .field(\.crowdsec.pushUnblock) { text throws(ValueError) in try ConfigValue.flag(text) }
        case .crowdsecQueueFile: .field(\.crowdsec.queueFile) { text throws(ValueError) in try ConfigValue.text(text) }
        case .metricsListen: .field(\.metricsListen) { text throws(ValueError) in try MetricsListen.parse(text) }
        }
    }
}
