@testable import Firewall
import PortsentryCore

/// One segment of the state file's journal, as the daemon replays it after a crash (a torn last
/// line included): never a crash, and every ban it yields writes a line that reads back the same.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJournal(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var bans: [CIDR: Ban] = [:]
    _ = BanJournal.apply(String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self), to: &bans)
    for ban in bans.values {
        let line = BanStateFile.line(ban)
        precondition(BanStateFile.parse(line[...]).map(BanStateFile.line) == line, "journal ban does not read back: \(line.debugDescription)")
    }
    return 0
}
