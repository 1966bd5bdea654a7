#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Control

/// The socket file, its directory, and leftovers from earlier runs.
@Suite struct SocketFileTests {
    @Test func createsPrivateDirectoryAndSocket() async throws {
        let socket = TemporarySocket()
        let server = try ControlServer.forTest(socket.path)
        let directory = try #require(fileMode(socket.directory))
        let file = try #require(fileMode(socket.path))
        #expect(directory.mode == 0o700 && directory.uid == geteuid())
        #expect(file.mode == 0o600 && file.uid == geteuid())
        await server.stop()
    }

    @Test func groupGetsAccessToSocketAndDirectory() async throws {
        let socket = TemporarySocket()
        let server = try ControlServer.forTest(socket.path, group: "nogroup")
        let directory = try #require(fileMode(socket.directory))
        let file = try #require(fileMode(socket.path))
        #expect(directory.mode == 0o750 && directory.gid == 65534)
        #expect(file.mode == 0o660 && file.gid == 65534)
        await server.stop()
    }

    @Test func groupTheSocketAlreadyHasIsKept() async throws {
        // CONTROL_GROUP = the daemon's own group (portsentry.service's Group=): no chown needed.
        let socket = TemporarySocket()
        let server = try ControlServer.forTest(socket.path, group: String(getegid()))
        let file = try #require(fileMode(socket.path))
        #expect(file.mode == 0o660 && file.gid == getegid() && file.uid == geteuid())
        await server.stop()
    }

    @Test func unknownGroupIsAnError() {
        let socket = TemporarySocket()
        #expect(throws: ControlError.unknownGroup("no-such-group-xyz")) {
            try ControlServer.forTest(socket.path, group: "no-such-group-xyz")
        }
        #expect(fileMode(socket.path) == nil)
    }

    @Test func replacesStaleSocketFile() async throws {
        let socket = TemporarySocket()
        mkdir(socket.directory, 0o700)
        // A socket bound and closed without unlink, as a crashed daemon leaves it.
        let stale = try UnixSocket.make(nonBlocking: false)
        #expect(try UnixSocket.withAddress(socket.path) { bind(stale, $0, $1) } == 0)
        close(stale)
        #expect(fileMode(socket.path) != nil)

        let server = try ControlServer.forTest(socket.path)
        #expect(try await ControlClient(socketPath: socket.path).send(.status).ok)
        await server.stop()
    }

    @Test func refusesWhenAnotherDaemonAnswers() async throws {
        let socket = TemporarySocket()
        let first = try ControlServer.forTest(socket.path)
        #expect(throws: ControlError.alreadyServing(socket.path)) { try ControlServer.forTest(socket.path) }
        // The first server's socket is untouched by the failed attempt.
        #expect(try await ControlClient(socketPath: socket.path).send(.status).ok)
        await first.stop()
    }

    @Test func refusesToReplaceSomethingElse() {
        let socket = TemporarySocket()
        mkdir(socket.directory, 0o700)
        close(open(socket.path, O_CREAT | O_WRONLY, 0o600))
        #expect(throws: ControlError.notASocket(socket.path)) { try ControlServer.forTest(socket.path) }
        #expect(fileMode(socket.path) != nil, "a regular file is never removed")
    }

    @Test func pathTooLongIsAnError() {
        let path = "/tmp/" + String(repeating: "x", count: 120)
        #expect(throws: ControlError.socketPathTooLong(path)) { try ControlServer.forTest(path) }
    }
}
