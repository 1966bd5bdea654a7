#if canImport(Glibc)
import Glibc
#endif
import Testing
import PortsentryCore
@testable import Control

/// The control socket under abuse, with real sockets: a thousand clients at once, clients that
/// never finish their request line and clients that never read their answer. The daemon's
/// server must neither wedge nor leak descriptors, and an administrator's request must still be
/// answered long before the abusers' own timeouts run out.
@Suite(.serialized) struct ServerAbuseTests {
    /// Silent connections opened as fast as the server lets them in; each connect is retried
    /// while the listen backlog is full, until `deadline`. Returns the descriptors connected.
    private func openSilentClients(_ count: Int, to path: String, within deadline: Duration = .seconds(20)) throws -> [Int32] {
        let end = MonotonicClock.now() + deadline.nanoseconds
        var fds: [Int32] = []
        while fds.count < count, MonotonicClock.now() < end {
            let fd = try UnixSocket.make(nonBlocking: true)
            var code = try UnixSocket.connect(fd, to: path)
            while code == EAGAIN, MonotonicClock.now() < end {
                usleep(1_000)
                code = try UnixSocket.connect(fd, to: path)
            }
            guard code == 0 else { close(fd); break }
            fds.append(fd)
        }
        return fds
    }

    private func openDescriptors() -> Int {
        guard let dir = opendir("/proc/self/fd") else { return -1 }
        defer { closedir(dir) }
        var count = 0
        while readdir(dir) != nil { count += 1 }
        return count
    }

    private func status(_ path: String, within seconds: Int64 = 10) async throws -> Bool {
        try await ControlClient(socketPath: path, timeout: .seconds(seconds)).send(.status).ok
    }

    @Test func aThousandClientsAtOnceAreAllAnswered() async throws {
        let socket = TemporarySocket()
        let server = try ControlServer.forTest(socket.path)
        let before = openDescriptors()
        let client = ControlClient(socketPath: socket.path, timeout: .seconds(30))
        let answered = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<1_000 { group.addTask { try await client.send(.status).ok } }
            return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(answered == 1_000)
        // The server closes the last connections a moment after their answers went out.
        let deadline = MonotonicClock.now() + 5_000_000_000
        while openDescriptors() != before, MonotonicClock.now() < deadline { usleep(10_000) }
        #expect(openDescriptors() == before, "no descriptor left behind")
        await server.stop()
    }

    @Test func aThousandSilentClientsDoNotLockOutTheAdministrator() async throws {
        let socket = TemporarySocket()
        // Their own time limit is a minute: waiting it out would fail the administrator's 10 s.
        let server = try ControlServer.forTest(socket.path, timeout: .seconds(60))
        let before = openDescriptors()
        let silent = try openSilentClients(1_000, to: socket.path)
        defer { silent.forEach { close($0) } }
        #expect(silent.count == 1_000, "the server keeps accepting")
        #expect(try await status(socket.path))
        // The server holds at most its connection limit (128) of them, not a thousand.
        let held = openDescriptors() - before - silent.count
        #expect(held <= 128)
        await server.stop()
    }

    @Test func clientsThatNeverEndTheirLineDoNotLockOutTheAdministrator() async throws {
        let socket = TemporarySocket()
        let server = try ControlServer(.init(socketPath: socket.path, requestTimeout: .seconds(60), maxConnections: 4),
                                       handler: ScriptedHandler())
        let tricklers = try openSilentClients(8, to: socket.path)
        defer { tricklers.forEach { close($0) } }
        for fd in tricklers { _ = UnixSocket.send(fd, Array(#"{"v":1,"cmd":"sta"#.utf8), from: 0) }
        #expect(try await status(socket.path))
        await server.stop()
    }

    @Test func clientsThatNeverReadDoNotLockOutTheAdministrator() async throws {
        // An answer of about 700 kB: more than the socket buffer takes.
        let bans = ScriptedHandler.manyBans(5_000)
        let socket = TemporarySocket()
        let server = try ControlServer(.init(socketPath: socket.path, requestTimeout: .seconds(60), maxConnections: 4),
                                       handler: ScriptedHandler(bans: bans))
        let readers = try openSilentClients(8, to: socket.path)
        defer { readers.forEach { close($0) } }
        for fd in readers { _ = UnixSocket.send(fd, ControlRequest.list.encodedLine(), from: 0) }
        #expect(try await status(socket.path))
        await server.stop()
    }
}
