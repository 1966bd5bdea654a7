import CLinux
import Glibc

/// Entering a named network namespace (`ip netns add NAME`) on the calling thread, so that a
/// sentry can run in a namespace other than the process's: used by the tests and the benchmark.
public enum NetworkNamespace {
    /// Moves the calling thread into `/var/run/netns/NAME` (for good: use a dedicated thread).
    public static func enter(_ name: String) throws(CaptureError) {
        let fd = open("/var/run/netns/\(name)", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .system("opening network namespace \(name)", errno: errno) }
        defer { close(fd) }
        guard setns(fd, CLONE_NEWNET) == 0 else { throw .system("entering network namespace \(name)", errno: errno) }
    }
}
