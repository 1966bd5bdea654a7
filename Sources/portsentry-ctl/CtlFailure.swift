import ArgumentParser
import Control
import Firewall

/// A failed command: the message printed on stderr and the exit status (see `PortsentryCtl`).
struct CtlFailure: Error, CustomStringConvertible {
    var description: String
    var exitCode: ExitCode
    /// The command already said what happened; print nothing more.
    var silent = false

    static let failed = ExitCode(1)
    static let notRunning = ExitCode(3)
    static let permissionDenied = ExitCode(4)
    static let noAnswer = ExitCode(5)

    init(_ message: String, exitCode: ExitCode = CtlFailure.failed, silent: Bool = false) {
        self.description = message
        self.exitCode = exitCode
        self.silent = silent
    }

    init(_ error: ControlError) {
        switch error {
        case .daemonNotRunning: self.init(error.description, exitCode: Self.notRunning)
        case .permissionDenied: self.init(error.description, exitCode: Self.permissionDenied)
        case .timedOut: self.init(error.description, exitCode: Self.noAnswer)
        default: self.init(error.description)
        }
    }

    init(_ error: NftError) {
        self.init("\(error)", exitCode: error == .missingCapability ? Self.permissionDenied : Self.failed)
    }
}

extension CtlFailure {
    /// Runs a command's body; a failure is printed on stderr and becomes the exit status.
    static func reporting(_ body: () async throws(CtlFailure) -> Void) async throws(ExitCode) {
        do {
            try await body()
        } catch {
            if !error.silent { Output.error(error.description) }
            throw error.exitCode
        }
    }
}
