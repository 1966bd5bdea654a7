#if canImport(Glibc)
import Glibc
#endif
import PortsentryCore

/// Sends one request to the daemon's control socket and reads its answer.
public struct ControlClient: Sendable {
    /// CONTROL_SOCKET.
    public var socketPath: String
    /// How long to wait for the connection and the answer.
    public var timeout: Duration

    public init(socketPath: String, timeout: Duration = .seconds(10)) {
        self.socketPath = socketPath
        self.timeout = timeout
    }

    /// Sends `request` and returns the daemon's response (which may be `ok: false`).
    /// Throws `daemonNotRunning`, `permissionDenied` (file modes or the daemon's refusal),
    /// `timedOut` or `badResponse`.
    public func send(_ request: ControlRequest) async throws(ControlError) -> ControlResponse {
        let response = try ControlResponse(line: try await exchange(request.encodedLine()))
        if !response.ok, response.code == .permissionDenied {
            throw .permissionDenied(response.error ?? "refused by the daemon")
        }
        return response
    }

    /// Writes `bytes` and returns the first line of the answer, without its newline.
    func exchange(_ bytes: [UInt8]) async throws(ControlError) -> [UInt8] {
        let path = socketPath
        let nanoseconds = timeout.nanoseconds
        return try await DedicatedThread.runControl {
            Result { () throws(ControlError) in try Self.exchange(bytes, path: path, timeoutNanoseconds: nanoseconds) }
        }
    }

    /// Connects, writes the request and reads one response line, all before the deadline.
    private static func exchange(_ line: [UInt8], path: String, timeoutNanoseconds: UInt64)
        throws(ControlError) -> [UInt8]
    {
        let deadline = MonotonicClock.now() + timeoutNanoseconds
        let fd = try UnixSocket.make(nonBlocking: true)
        defer { close(fd) }
        var connected = try UnixSocket.connect(fd, to: path)
        // EAGAIN: the listen backlog is full (a burst of clients); the daemon takes them fast.
        while connected == EAGAIN, MonotonicClock.now() < deadline {
            usleep(2_000)
            connected = try UnixSocket.connect(fd, to: path)
        }
        switch connected {
        case 0:
            break
        case ENOENT, ECONNREFUSED:
            throw .daemonNotRunning(path)
        case EACCES, EPERM:
            throw .permissionDenied("cannot open \(path) (run as root or as a member of CONTROL_GROUP)")
        case EAGAIN:
            throw .timedOut(path, seconds: Int(timeoutNanoseconds / 1_000_000_000))
        case let code:
            throw .system(operation: "connect \(path)", errno: code)
        }
        var sent = 0
        var input: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            var poller = pollfd(fd: fd, events: Int16(POLLIN) | (sent < line.count ? Int16(POLLOUT) : 0), revents: 0)
            let ready = poll(&poller, 1, UnixSocket.millisecondsLeft(until: deadline))
            if ready < 0, errno == EINTR { continue }
            guard ready > 0 else { throw .timedOut(path, seconds: Int(timeoutNanoseconds / 1_000_000_000)) }
            if sent < line.count, poller.revents & Int16(POLLOUT) != 0 {
                let n = UnixSocket.send(fd, line, from: sent)
                // The daemon may close early (e.g. an oversized request); its answer is still readable.
                sent = n < 0 ? line.count : sent + n
                if sent == line.count { shutdown(fd, Int32(SHUT_WR)) }
            }
            if poller.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                let n = read(fd, &chunk, chunk.count)
                if n > 0 {
                    // Only the new bytes can hold the end of the line.
                    if let newline = chunk.prefix(n).firstIndex(of: UInt8(ascii: "\n")) {
                        return input + chunk[..<newline]
                    }
                    input += chunk.prefix(n)
                } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
                    guard !input.isEmpty else { throw .badResponse("connection closed without an answer") }
                    return input
                }
            }
        }
    }
}
