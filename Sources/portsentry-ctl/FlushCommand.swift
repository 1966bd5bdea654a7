import ArgumentParser
import Control

/// `portsentry-ctl flush`
struct FlushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flush",
        abstract: "Lift every ban.",
        discussion: "Asks for confirmation when stdin is a terminal, unless --yes is given.")

    @OptionGroup var daemon: DaemonOptions

    @Flag(name: [.customShort("y"), .long], help: "Do not ask for confirmation.")
    var yes = false

    func run() async throws {
        try await CtlFailure.reporting { () throws(CtlFailure) in
            if !yes, Output.isInteractive, !Output.confirm("Lift every ban?") {
                throw CtlFailure("nothing flushed")
            }
            let response = try await DaemonLink(daemon).perform(.flush) { offline throws(CtlFailure) in
                try await offline.flush()
            }
            let count = response.flushed ?? 0
            Output.line("flushed \(count) ban\(count == 1 ? "" : "s")")
        }
    }
}
