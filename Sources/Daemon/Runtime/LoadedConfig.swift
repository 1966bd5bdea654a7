import Glibc
import PortsentryCore

/// The config file and ignore files, parsed and validated together, so start-up and SIGHUP
/// reload either get a complete new configuration or an error that names file and line.
struct LoadedConfig: Sendable {
    var config: Config
    var ignoreList: IgnoreList
    var warnings: [String]

    static func load(_ options: LaunchOptions) throws(ConfigError) -> LoadedConfig {
        let watch = PortWatch(
            protocols: options.protocols,
            advanced: Set([TransportProtocol.tcp, .udp].filter { options.selection(for: $0) == .advanced }))
        let config = try ConfigParser.load(path: options.configFile, watching: watch)
        guard let ignorePath = config.ignoreFile else {
            return LoadedConfig(config: config, ignoreList: .empty, warnings: [])
        }
        var (list, warnings) = try IgnoreList.load(path: ignorePath)
        // Debian's layout: portsentry.ignore.static beside the ignore file is merged in.
        let staticPath = ignorePath + ".static"
        if access(staticPath, F_OK) == 0 {
            let (extra, extraWarnings) = try IgnoreList.load(path: staticPath)
            list = list.merging(extra)
            warnings += extraWarnings
        }
        return LoadedConfig(config: config, ignoreList: list, warnings: warnings)
    }
}

extension LaunchOptions {
    func selection(for proto: TransportProtocol) -> PortSelection {
        proto == .tcp ? tcpSelection : udpSelection
    }
}
