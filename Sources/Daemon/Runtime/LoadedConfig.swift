import PortsentryCore

/// The config file and ignore files, parsed and validated together, so start-up and SIGHUP
/// reload either get a complete new configuration or an error that names file and line.
struct LoadedConfig: Sendable {
    var config: Config
    var ignoreList: IgnoreList
    var warnings: [String]

    static func load(_ options: LaunchOptions) throws(ConfigError) -> LoadedConfig {
        let config = try ConfigParser.load(path: options.configFile, watching: options.portWatch)
        guard let ignorePath = config.ignoreFile else {
            return LoadedConfig(config: config, ignoreList: .empty, warnings: [])
        }
        let (list, warnings) = try IgnoreList.load(ignoreFile: ignorePath)
        return LoadedConfig(config: config, ignoreList: list, warnings: warnings)
    }
}
