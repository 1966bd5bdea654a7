import Glibc

/// A pipe that `stop()` writes to from any thread to wake the capture thread's `poll`.
/// It stays readable once signalled, so a stop that comes before `run` is not lost.
final class WakeSignal: Sendable {
    /// The end the capture thread polls.
    let fd: Int32
    private let writeEnd: Int32

    init() throws(CaptureError) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw .system("pipe", errno: errno) }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC); _ = fcntl(end, F_SETFL, O_NONBLOCK) }
        fd = ends[0]
        writeEnd = ends[1]
    }

    func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    deinit {
        close(fd)
        close(writeEnd)
    }
}
