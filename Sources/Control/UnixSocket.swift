import CLinux
#if canImport(Glibc)
import Glibc
#endif
import PortsentryCore

/// Thin, throwing wrappers over the Unix stream socket calls both ends need.
enum UnixSocket {
    /// A new `AF_UNIX` stream socket with close-on-exec set.
    static func make(nonBlocking: Bool) throws(ControlError) -> Int32 {
        var type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        if nonBlocking { type |= Int32(SOCK_NONBLOCK.rawValue) }
        let fd = socket(AF_UNIX, type, 0)
        guard fd >= 0 else { throw .system(operation: "socket", errno: errno) }
        return fd
    }

    /// Calls `body` with `path` as a `sockaddr_un`.
    static func withAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T)
        throws(ControlError) -> T
    {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw .socketPathTooLong(path)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                body($0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }

    /// Connects `fd` to `path`; returns 0 or the `errno` of the failure.
    static func connect(_ fd: Int32, to path: String) throws(ControlError) -> Int32 {
        try withAddress(path) { Glibc.connect(fd, $0, $1) == 0 ? 0 : errno }
    }

    /// Writes as much of `bytes[offset...]` as the socket takes now; returns the bytes written,
    /// 0 when it would block, or the negated `errno` of a failure. Never raises SIGPIPE.
    static func send(_ fd: Int32, _ bytes: [UInt8], from offset: Int) -> Int {
        let n = bytes.withUnsafeBytes { raw in
            Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
        }
        if n >= 0 { return n }
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -Int(errno)
    }

    /// Milliseconds left until `deadline` (monotonic nanoseconds), for `poll`.
    static func millisecondsLeft(until deadline: UInt64) -> Int32 {
        let now = MonotonicClock.now()
        return deadline <= now ? 0 : Int32(min((deadline - now + 999_999) / 1_000_000, UInt64(Int32.max)))
    }
}

extension Duration {
    /// The duration in whole nanoseconds, negative ones as zero.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds) / 1_000_000_000
    }
}
