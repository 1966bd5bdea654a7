import Glibc
import PortsentryCore

/// The listener table, re-read from procfs on a timer by the capture thread, so that checking a
/// packet costs a lookup and no syscall. Reads `/proc/thread-self/net` so that a capture thread
/// that entered another network namespace sees that namespace's sockets.
final class ListenerCache {
    private(set) var table = ListenerTable.empty
    private let interval: UInt64
    private var due: UInt64 = 0
    private var buffer = [UInt8](repeating: 0, count: 64 << 10)

    init(refreshInterval: UInt64) { interval = refreshInterval }

    /// Re-reads the sockets if the refresh interval has passed; returns when it is next due.
    @discardableResult
    func refreshIfDue(now: UInt64) -> UInt64 {
        if now >= due {
            table = ListenerTable(tcp4: read("tcp"), tcp6: read("tcp6"), udp4: read("udp"), udp6: read("udp6"))
            due = now + interval
        }
        return due
    }

    private func read(_ name: String) -> String {
        let fd = open("/proc/thread-self/net/\(name)", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "" }   // e.g. IPv6 disabled: no such file, no listeners
        defer { close(fd) }
        var text: [UInt8] = []
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            text.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
