import Capture
import PortsentryCore

/// The config file and ignore files, parsed and validated together, so start-up and SIGHUP
/// reload either get a complete new configuration or an error that names file and line.
struct LoadedConfig: Sendable {
    var config: Config
    var ignoreList: IgnoreList
    /// PROTECT and PROTECT_FILE together.
    var protected: [CIDR]
    var warnings: [String]

    static func load(_ options: LaunchOptions) throws(ConfigError) -> LoadedConfig {
        let config = try ConfigParser.load(path: options.configFile, watching: options.portWatch)
        let (protected, protectWarnings) = try config.protectedNetworks()
        guard let ignorePath = config.ignoreFile else {
            return LoadedConfig(config: config, ignoreList: .empty, protected: protected, warnings: protectWarnings)
        }
        let (list, warnings) = try IgnoreList.load(ignoreFile: ignorePath)
        return LoadedConfig(config: config, ignoreList: list, protected: protected, warnings: warnings + protectWarnings)
    }

    /// What the host protection watches for this configuration.
    var protection: HostProtection.Settings {
        HostProtection.Settings(configured: protected, automatic: config.protectAuto, sshPorts: config.protectSSHPorts)
    }
}
