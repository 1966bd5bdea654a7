import CLinux
import Glibc

/// An eventfd that `stop()` writes from any thread to wake the capture thread's `poll`.
/// It stays readable once signalled, so a stop that comes before `run` is not lost.
final class WakeSignal: Sendable {
    let fd: Int32

    init() throws(CaptureError) {
        fd = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        guard fd >= 0 else { throw .system("eventfd", errno: errno) }
    }

    func signal() {
        var one: UInt64 = 1
        _ = write(fd, &one, 8)
    }

    deinit { close(fd) }
}
