#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// What the server's loop thread shares with request tasks and with `stop()`: finished
/// responses, the stop request, and a pipe that wakes the loop's `poll`.
final class ServerSignals: Sendable {
    private struct State {
        var responses: [(connection: Int, bytes: [UInt8])] = []
        var stopRequested = false
        var finished = false
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    /// Read end, polled by the loop.
    let wakeReader: Int32
    private let wakeWriter: Int32

    init() throws(ControlError) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw .system(operation: "pipe", errno: errno) }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, O_NONBLOCK)
        }
        wakeReader = fds[0]
        wakeWriter = fds[1]
    }

    // The pipe stays open until the last task holding this object is gone, so a late wake-up
    // never writes to a descriptor number that was reused.
    deinit {
        close(wakeReader)
        close(wakeWriter)
    }

    /// Hands a finished response to the loop.
    func deliver(_ bytes: [UInt8], to connection: Int) {
        state.withLock { $0.responses.append((connection, bytes)) }
        wake()
    }

    /// Responses delivered since the last call.
    func takeResponses() -> [(connection: Int, bytes: [UInt8])] {
        state.withLock { state in
            defer { state.responses.removeAll() }
            return state.responses
        }
    }

    var stopRequested: Bool { state.withLock { $0.stopRequested } }

    /// Asks the loop to stop and waits until it has closed the socket.
    func requestStopAndWait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state in
                state.stopRequested = true
                if !state.finished { state.stopWaiters.append(continuation) }
                return state.finished
            }
            if done { continuation.resume() } else { wake() }
        }
    }

    /// Called by the loop as its last act.
    func markFinished() {
        let waiters = state.withLock { state in
            state.finished = true
            defer { state.stopWaiters.removeAll() }
            return state.stopWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Empties the wake pipe.
    func drainWakeups() {
        var sink = [UInt8](repeating: 0, count: 64)
        while read(wakeReader, &sink, sink.count) > 0 {}
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWriter, &byte, 1)  // a full pipe already holds a pending wake-up
    }
}
