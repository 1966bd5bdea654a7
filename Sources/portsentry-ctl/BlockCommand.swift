import ArgumentParser
import Control
import PortsentryCore

/// `portsentry-ctl block`
struct BlockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "block",
        abstract: "Ban addresses by hand.",
        discussion: """
            A network is banned as one prefix element (IPv4 /8 or IPv6 /16 and longer). Addresses \
            in the ignore file and addresses of this host, or networks holding one, are refused \
            unless --force is given; protected addresses always. Exit status 0 only if every \
            address was blocked.
            """)

    @OptionGroup var daemon: DaemonOptions

    @Argument(help: ArgumentHelp("IPv4 or IPv6 addresses or networks (CIDR).", valueName: "ip|cidr"))
    var targets: [String]

    @Option(name: .customLong("for"),
            help: ArgumentHelp("Ban length: seconds or 90s, 10m, 24h, 7d, 1h30m; 0 = no expiry (default BAN_TIME).", valueName: "duration"))
    var duration: String?

    @Option(help: ArgumentHelp("Why, kept with the ban and shown by list.", valueName: "text"))
    var reason: String?

    @Flag(help: "Block even addresses in the ignore file or of this host.")
    var force = false

    func validate() throws {
        _ = try order()
    }

    func run() async throws {
        let order = try order()
        try await CtlFailure.reporting { () throws(CtlFailure) in
            let response = try await DaemonLink(daemon).perform(.block(order)) { offline throws(CtlFailure) in
                try await offline.block(order)
            }
            try Formatting.report(response.results ?? [])
        }
    }

    /// The request the arguments describe; a `ValidationError` names what is wrong.
    private func order() throws -> BlockOrder {
        let parsed = try targets.map { text in
            do { return try CIDR(target: text) } catch { throw ValidationError("\(error)") }
        }
        let seconds = try duration.map { text in
            do { return try BanDuration.parse(text).seconds } catch { throw ValidationError("--for: \(error)") }
        }
        if let reason, reason.count > ControlProtocol.maxReasonLength || reason.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw ValidationError("--reason must be at most \(ControlProtocol.maxReasonLength) characters on one line")
        }
        return BlockOrder(targets: parsed, seconds: seconds, reason: reason, force: force)
    }
}
