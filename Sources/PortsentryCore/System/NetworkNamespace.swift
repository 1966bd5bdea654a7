import CLinux
import Glibc

/// Moving a thread into a named network namespace (`ip netns add NAME`), so that a sentry or the
/// nftables backend's thread works in a namespace other than the process's: the tests and the
/// benchmarks use it. The one place portsentry calls setns(2).
public enum NetworkNamespace {
    /// Why a namespace could not be entered.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public let path: String
        public let code: Int32
        public var description: String { "cannot enter network namespace \(path): \(String(cString: strerror(code)))" }
    }

    /// The path of a namespace made by `ip netns add NAME`.
    public static func path(of name: String) -> String { "/run/netns/\(name)" }

    /// Opens a namespace file for `enter(fd:)` (open early, on any thread, to fail early).
    public static func open(_ path: String) throws(Failure) -> Int32 {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(path: path, code: errno) }
        return fd
    }

    /// Moves the calling thread into the namespace `fd` refers to, for good; returns 0 or the errno.
    public static func enter(fd: Int32) -> Int32 {
        setns(fd, CLONE_NEWNET) == 0 ? 0 : errno
    }

    /// Moves the calling thread into namespace `name` (for good: use a dedicated thread).
    public static func enter(_ name: String) throws(Failure) {
        let path = path(of: name)
        let fd = try open(path)
        defer { close(fd) }
        let code = enter(fd: fd)
        guard code == 0 else { throw Failure(path: path, code: code) }
    }
}
