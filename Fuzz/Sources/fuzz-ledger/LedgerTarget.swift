@testable import Firewall
import PortsentryCore

/// STATE_FILE.ledger, the ban ledger (offences and evidence): bad lines are skipped, never a
/// crash, and what the daemon writes for the records it read reads back, and writes the same text again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLedger(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    func write(_ records: [PortsentryCore.BanRecord]) -> String {
        ([BanLedgerFile.versionLine] + records.map(BanLedgerFile.line)).joined(separator: "\n") + "\n"
    }
    let written = write(BanLedgerFile.parse(text, path: "fuzz").records)
    let again = BanLedgerFile.parse(written, path: "fuzz")
    precondition(again.problems.isEmpty && write(again.records) == written, "written ledger does not read back: \(written.debugDescription)")
    return 0
}
