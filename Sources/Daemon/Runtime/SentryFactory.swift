import Capture
import Logging
import PortsentryCore

/// What the sentry watches, derived from the command line and the config. Two equal plans
/// watch the same thing, so SIGHUP restarts the sentry only when its plan changes.
enum SentryPlan: Sendable, Hashable {
    case connect(tcp: PortSet, udp: PortSet)
    case stealth(StealthSettings)

    init(_ options: LaunchOptions, _ config: Config) throws {
        func ports(_ proto: TransportProtocol) -> PortSet {
            options.protocols.contains(proto) ? (proto == .tcp ? config.tcpPorts : config.udpPorts) : .empty
        }
        switch options.mode {
        case .connect:
            self = .connect(tcp: ports(.tcp), udp: ports(.udp))
        case .stealth:
            self = .stealth(try StealthSettings(
                method: options.method == .raw ? .raw : .pcap, interfaces: options.interfaces,
                serviceCheck: options.serviceCheck, protocols: options.protocols,
                tcpAdvanced: options.tcpSelection == .advanced, udpAdvanced: options.udpSelection == .advanced,
                config: config))
        }
    }

    /// A new, unprepared sentry for this plan.
    func makeSentry(logger: Logger) throws -> any Sentry {
        switch self {
        case .connect(let tcp, let udp): return try ConnectSentry(tcpPorts: tcp, udpPorts: udp, logger: logger)
        case .stealth(let settings): return try makeStealthSentry(settings: settings, logger: logger)
        }
    }
}
