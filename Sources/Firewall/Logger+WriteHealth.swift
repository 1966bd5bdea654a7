import Logging
import PortsentryCore

extension Logger {
    /// Logs what `WriteHealth` reports about an output file: a failure as an error, its end as a notice.
    public func log(_ report: WriteHealth.Report) {
        report.isFailure ? error("\(report.line)") : notice("\(report.line)")
    }
}
