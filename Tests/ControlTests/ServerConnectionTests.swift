#if canImport(Glibc)
import Glibc
#endif
import Testing
import PortsentryCore
@testable import Control

/// Connection handling: silent clients, concurrency, stop.
@Suite struct ServerConnectionTests {
    @Test func silentClientDoesNotBlockOthers() async throws {
        let socket = TemporarySocket()
        let server = try ControlServer.forTest(socket.path, timeout: .seconds(60))
        let silent = try UnixSocket.make(nonBlocking: false)
        defer { close(silent) }
        #expect(try UnixSocket.connect(silent, to: socket.path) == 0)
        // Were the silent client served first, this request would wait for its 60 s timeout
        // and fail on its own 10 s deadline instead.
        #expect(try await ControlClient(socketPath: socket.path, timeout: .seconds(10)).send(.status).ok)
        await server.stop()
    }

    @Test func silentClientGetsATimedOutAnswer() async throws {
        let socket = TemporarySocket()
        let server = try ControlServer.forTest(socket.path, timeout: .seconds(1))
        let silent = try UnixSocket.make(nonBlocking: false)
        defer { close(silent) }
        #expect(try UnixSocket.connect(silent, to: socket.path) == 0)
        let answer = try await DedicatedThread.runControl { () -> Result<[UInt8], ControlError> in
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = read(silent, &buffer, buffer.count)
            return n > 0 ? .success(Array(buffer.prefix(n))) : .failure(.badResponse("read \(n)"))
        }
        #expect(try ControlResponse(line: answer.dropLast()).code == .timedOut)
        await server.stop()
    }

    @Test func slowHandlerDoesNotBlockOtherRequests() async throws {
        let socket = TemporarySocket()
        let server = try ControlServer.forTest(socket.path, handler: ScriptedHandler(statusDelay: .seconds(20)))
        let slowClient = ControlClient(socketPath: socket.path, timeout: .seconds(30))
        async let slow = slowClient.send(.status)
        // Served behind the 20 s status request, this would miss its own 10 s deadline.
        #expect(try await ControlClient(socketPath: socket.path, timeout: .seconds(10)).send(.list).bans?.count == 1)
        await server.stop()
        _ = try? await slow
    }

    @Test func clientTimesOutWhenDaemonDoesNotAnswer() async throws {
        let socket = TemporarySocket()
        let server = try ControlServer.forTest(socket.path, handler: ScriptedHandler(statusDelay: .seconds(5)))
        await #expect(throws: ControlError.timedOut(socket.path, seconds: 1)) {
            try await ControlClient(socketPath: socket.path, timeout: .seconds(1)).send(.status)
        }
        await server.stop()
    }

    @Test func largeAnswerArrivesWhole() async throws {
        // Far more than a socket buffer: the server must write it in pieces as the client reads.
        let bans = ScriptedHandler.manyBans(50_000)
        let socket = TemporarySocket()
        // A time limit far above the transfer's: under a sanitizer on a loaded machine, reading
        // the 6 MB took the client more than the default 5 s, and the server cut the answer.
        let server = try ControlServer.forTest(socket.path, handler: ScriptedHandler(bans: bans), timeout: .seconds(60))
        #expect(try await ControlClient(socketPath: socket.path, timeout: .seconds(60)).send(.list).bans == bans)
        await server.stop()
    }

    @Test func manyClientsAtOnce() async throws {
        let socket = TemporarySocket()
        let server = try ControlServer(.init(socketPath: socket.path, maxConnections: 4), handler: ScriptedHandler())
        let client = ControlClient(socketPath: socket.path)
        let answers = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 { group.addTask { try await client.send(.list).ok } }
            return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(answers == 20)
        await server.stop()
    }

    @Test func stopRemovesSocketAndClientsSeeDaemonGone() async throws {
        let socket = TemporarySocket()
        let server = try ControlServer.forTest(socket.path)
        #expect(fileMode(socket.path) != nil)
        await server.stop()
        #expect(fileMode(socket.path) == nil)
        await #expect(throws: ControlError.daemonNotRunning(socket.path)) {
            try await ControlClient(socketPath: socket.path).send(.status)
        }
        await server.stop()  // a second stop is harmless
    }
}
