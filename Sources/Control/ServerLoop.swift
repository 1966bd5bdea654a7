import CLinux
#if canImport(Glibc)
import Glibc
#endif
import Logging
import PortsentryCore

/// The control server's event loop: one thread polls the listening socket, every connection
/// and the wake pipe; requests run as tasks on the handler and come back through `signals`.
/// All state here belongs to the loop thread alone.
///
/// Abuse: the connections are capped (`maxConnections`); when the cap is reached, each new
/// client closes the idle connection (one that waits for its client to send or to read) that was
/// accepted first, once it has had `evictionGrace` to send its request. So a thousand clients
/// that connect and say nothing, or never read, cost a bounded number of descriptors and delay
/// an administrator by their number over the cap's turnover, not by their timeouts.
final class ServerLoop {
    struct Settings: Sendable {
        var path: String
        var identity: SocketFile.Identity
        var timeoutNanoseconds: UInt64
        var maxConnections: Int
        var policy: AccessPolicy
    }

    private let listener: Int32
    private let settings: Settings
    private let handler: any ControlHandler
    private let signals: ServerSignals
    private let logger: Logger
    private var connections: [Int: ClientConnection] = [:]
    private var nextID = 0
    private var evictions = EvictionReport()

    /// How long a new connection is safe from eviction: ample time to send a request line.
    static let evictionGrace: UInt64 = 250_000_000
    /// Most accepts per turn of the loop, so the connections accepted are read in between.
    static let acceptBatch = 32

    init(listener: Int32, settings: Settings, handler: any ControlHandler, signals: ServerSignals, logger: Logger) {
        self.listener = listener
        self.settings = settings
        self.handler = handler
        self.signals = signals
        self.logger = logger
    }

    /// Serves until `signals` asks to stop, then closes everything and removes the socket file.
    func run() {
        while !signals.stopRequested {
            pollOnce()
        }
        for connection in connections.values { close(connection.fd) }
        connections.removeAll()
        close(listener)
        SocketFile.remove(settings.path, ifStill: settings.identity)
        signals.markFinished()
    }

    private func pollOnce() {
        var fds = [pollfd(fd: signals.wakeReader, events: Int16(POLLIN), revents: 0)]
        let now = MonotonicClock.now()
        let full = connections.count >= settings.maxConnections
        let accepting = !full || evictionCandidate(at: now) != nil
        fds.append(pollfd(fd: accepting ? listener : -1, events: Int16(POLLIN), revents: 0))
        let polled = Array(connections)
        for (_, connection) in polled {
            let events = switch connection.phase {
            case .reading: Int16(POLLIN)
            case .writing: Int16(POLLOUT)
            case .handling: Int16(0)
            }
            fds.append(pollfd(fd: connection.fd, events: events, revents: 0))
        }
        // Full with only young idle connections: wake when the first of them may be evicted.
        let evictable = full && !accepting ? connections.values.filter(\.isIdle).map { $0.acceptedAt + Self.evictionGrace }.min() : nil
        let deadline = (connections.values.compactMap(\.deadline) + [evictable].compactMap { $0 }).min()
        let timeout = deadline.map(UnixSocket.millisecondsLeft(until:)) ?? -1
        guard poll(&fds, nfds_t(fds.count), timeout) >= 0 || errno == EINTR else {
            logger.error("control socket: poll failed: \(String(cString: strerror(errno)))")
            return
        }
        if fds[0].revents != 0 { signals.drainWakeups() }
        for (id, bytes) in signals.takeResponses() {
            connections[id]?.respond(bytes, deadline: deadlineFromNow())
            writeResponse(id)
        }
        if fds[1].revents != 0 { acceptAll() }
        for (index, (id, _)) in polled.enumerated() where fds[index + 2].revents != 0 {
            if connections[id]?.phase == .reading { readRequest(id) } else { writeResponse(id) }
        }
        expireOverdue()
    }

    private func deadlineFromNow() -> UInt64 { MonotonicClock.now() + settings.timeoutNanoseconds }

    private func acceptAll() {
        for _ in 0..<Self.acceptBatch {
            let now = MonotonicClock.now()
            let victim = connections.count < settings.maxConnections ? nil : evictionCandidate(at: now)
            guard connections.count < settings.maxConnections || victim != nil else { return }
            let fd = accept4(listener, nil, nil, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
            guard fd >= 0 else {
                if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
                    logger.warning("control socket: accept failed: \(String(cString: strerror(errno)))")
                }
                return
            }
            if let victim { evict(victim, at: now) }
            nextID += 1
            var connection = ClientConnection(fd: fd, acceptedAt: now, deadline: deadlineFromNow())
            if let refusal = refusal(for: fd) {
                logger.warning("control socket: refused \(refusal)")
                connection.respond(ControlResponse.failure("permission denied: \(refusal)", code: .permissionDenied).encodedLine(),
                                   deadline: deadlineFromNow())
            }
            connections[nextID] = connection
            // A client usually sends its request right after connecting: take it now.
            if case .writing = connection.phase { writeResponse(nextID) } else { readRequest(nextID) }
        }
    }

    /// The idle connection accepted first, if it has had its grace time.
    private func evictionCandidate(at now: UInt64) -> Int? {
        connections.filter { $0.value.isIdle && $0.value.acceptedAt + Self.evictionGrace <= now }.keys.min()
    }

    private func evict(_ id: Int, at now: UInt64) {
        finish(id)
        if let count = evictions.record(at: now) {
            logger.warning("control socket: more than \(settings.maxConnections) clients at once; closed \(count) idle connection(s) to make room (the longest waiting first)")
        }
    }

    private func refusal(for fd: Int32) -> String? {
        do {
            return settings.policy.refusal(for: try PeerCredentials(socket: fd))
        } catch {
            return "unknown peer (\(error))"
        }
    }

    private func readRequest(_ id: Int) {
        guard var connection = connections[id] else { return }
        let room = ControlProtocol.maxRequestBytes - connection.input.count
        var chunk = [UInt8](repeating: 0, count: min(room, 16_384))
        let n = read(connection.fd, &chunk, chunk.count)
        if n < 0 {
            if errno == EAGAIN || errno == EINTR { return }
            return finish(id)
        }
        connection.input += chunk.prefix(n)
        connections[id] = connection
        if let line = connection.requestLine {
            start(line, on: id)
        } else if n == 0 {
            // The client closed its side: a last line without a newline still counts.
            connection.input.isEmpty ? finish(id) : start(connection.input[...], on: id)
        } else if connection.input.count >= ControlProtocol.maxRequestBytes {
            reject(id, "request longer than \(ControlProtocol.maxRequestBytes) bytes", code: .badRequest)
        }
    }

    private func start(_ line: ArraySlice<UInt8>, on id: Int) {
        let request: ControlRequest
        do {
            request = try ControlRequest(line: line)
        } catch {
            return reject(id, "\(error)", code: .badRequest)
        }
        connections[id]?.phase = .handling
        connections[id]?.deadline = nil
        Task { [handler, signals] in
            let response = await handler.respond(to: request)
            signals.deliver(response.encodedLine(), to: id)
        }
    }

    private func reject(_ id: Int, _ message: String, code: ControlResponse.FailureCode) {
        connections[id]?.respond(ControlResponse.failure(message, code: code).encodedLine(), deadline: deadlineFromNow())
        writeResponse(id)
    }

    private func writeResponse(_ id: Int) {
        guard var connection = connections[id], connection.phase == .writing else { return }
        while connection.sent < connection.output.count {
            let n = UnixSocket.send(connection.fd, connection.output, from: connection.sent)
            if n < 0 { return finish(id) }
            if n == 0 { connections[id] = connection; return }
            connection.sent += n
        }
        finish(id)
    }

    private func expireOverdue() {
        let now = MonotonicClock.now()
        for (id, connection) in connections {
            guard let deadline = connection.deadline, deadline <= now else { continue }
            if connection.phase == .reading {
                reject(id, "no complete request within the time limit", code: .timedOut)
            } else {
                finish(id)
            }
        }
    }

    private func finish(_ id: Int) {
        guard let connection = connections.removeValue(forKey: id) else { return }
        close(connection.fd)
    }
}
