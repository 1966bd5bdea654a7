#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Control

/// A real non-root client (python3 run as `nobody` through setpriv) against a real server.
@Suite(.enabled(if: geteuid() == 0 && access("/usr/bin/python3", X_OK) == 0 && access("/usr/bin/setpriv", X_OK) == 0,
                "needs root, setpriv and /usr/bin/python3"))
struct PermissionTests {
    private static let statusAsNobody = """
        import socket, sys
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(sys.argv[1])
        except PermissionError:
            print("EACCES"); sys.exit(0)
        try:
            s.sendall(b'{"v":1,"cmd":"status"}\\n')
        except OSError:
            pass  # a refusal may arrive and close the connection first
        print(s.makefile().readline().strip())
        """

    /// Runs the status script as uid 65534 with the given group options of setpriv.
    private func statusAsNobody(_ path: String, groups: [String] = ["--regid=65534", "--clear-groups"]) async throws -> String {
        let result = try await runProgram(["/usr/bin/setpriv", "--reuid=65534"] + groups
            + ["/usr/bin/python3", "-c", Self.statusAsNobody, path])
        #expect(result.status == 0)
        return result.output.split(separator: "\n").first.map(String.init) ?? ""
    }

    @Test func fileModesKeepOtherUsersOut() async throws {
        let socket = TemporarySocket()
        let server = try ControlServer.forTest(socket.path)
        chmod(socket.root, 0o755)
        #expect(try await statusAsNobody(socket.path) == "EACCES")
        await server.stop()
    }

    @Test func peerCredentialsRefuseOtherUsersEvenWithOpenModes() async throws {
        let socket = TemporarySocket()
        let handler = ScriptedHandler()
        let server = try ControlServer.forTest(socket.path, handler: handler)
        chmod(socket.root, 0o755)
        chmod(socket.directory, 0o755)
        chmod(socket.path, 0o666)
        let response = try ControlResponse(line: Array(try await statusAsNobody(socket.path).utf8))
        #expect(!response.ok)
        #expect(response.code == .permissionDenied)
        #expect(response.error?.contains("uid 65534") == true)
        #expect(handler.calls.withLock { $0 }.isEmpty)
        #expect(try await ControlClient(socketPath: socket.path).send(.status).ok, "root is still served")
        await server.stop()
    }

    @Test func controlGroupMembersAreServed() async throws {
        let socket = TemporarySocket()
        let server = try ControlServer.forTest(socket.path, group: "nogroup")
        chmod(socket.root, 0o755)
        let response = try ControlResponse(line: Array(try await statusAsNobody(socket.path).utf8))
        #expect(response.ok)
        #expect(response.status == ScriptedHandler.report)
        await server.stop()
    }

    @Test func groupMembershipComesFromTheUserDatabaseToo() async throws {
        // Effective gid 0, nogroup only as a supplementary group: the server must find the
        // membership through the user's entry (nobody's primary group is nogroup).
        let socket = TemporarySocket()
        let server = try ControlServer.forTest(socket.path, group: "nogroup")
        chmod(socket.root, 0o755)
        let answer = try await statusAsNobody(socket.path, groups: ["--regid=0", "--groups=65534"])
        #expect(try ControlResponse(line: Array(answer.utf8)).ok)
        await server.stop()
    }
}
