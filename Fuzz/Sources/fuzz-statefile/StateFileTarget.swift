@testable import Firewall

/// The contents of STATE_FILE; what the daemon writes for the bans it read must read back to
/// the same text (a state file it cannot read loses every ban at the next start).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStateFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let bans = try? BanStateFile.bans(in: Array(UnsafeBufferPointer(start: data, count: size))) else { return 0 }
    let text = BanStateFile.text(of: bans)
    let again = try? BanStateFile.bans(in: Array(text.utf8))
    precondition(again.map(BanStateFile.text(of:)) == text, "written state does not read back: \(text.debugDescription)")
    return 0
}
