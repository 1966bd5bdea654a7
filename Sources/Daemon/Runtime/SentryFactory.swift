import Capture
import Logging
import PortsentryCore

/// Builds the sentries for the chosen mode.
enum SentryFactory {
    static func make(_ options: LaunchOptions, _ config: Config, logger: Logger) throws -> any Sentry {
        func ports(_ proto: TransportProtocol) -> PortSet {
            options.protocols.contains(proto) ? (proto == .tcp ? config.tcpPorts : config.udpPorts) : .empty
        }
        switch options.mode {
        case .connect:
            return try ConnectSentry(tcpPorts: ports(.tcp), udpPorts: ports(.udp), logger: logger)
        case .stealth:
            let settings = try StealthSettings(
                method: options.method == .raw ? .raw : .pcap, interfaces: options.interfaces,
                serviceCheck: options.serviceCheck, protocols: options.protocols,
                tcpAdvanced: options.tcpSelection == .advanced, udpAdvanced: options.udpSelection == .advanced,
                config: config)
            return try makeStealthSentry(settings: settings, logger: logger)
        }
    }
}
