import ArgumentParser
import Control

/// `portsentry-ctl reload`
struct ReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Reload the daemon's config and ignore file (as SIGHUP does).",
        discussion: "Exit status 0 if the new config was accepted; 1 if it was rejected (the old one stays in force); 3 if the daemon is not running.")

    @OptionGroup var daemon: DaemonOptions

    func run() async throws {
        try await CtlFailure.reporting { () throws(CtlFailure) in
            guard let report = try await DaemonLink(daemon).send(.reload).reload else {
                throw CtlFailure("the daemon sent no reload report")
            }
            guard report.accepted else {
                throw CtlFailure("new config rejected, the old one stays in force: \(report.message)")
            }
            Output.line("reloaded: \(report.message)")
        }
    }
}
