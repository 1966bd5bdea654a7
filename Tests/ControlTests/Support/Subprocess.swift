#if canImport(Glibc)
import Glibc
#endif
import PortsentryCore
@testable import Control

/// Runs a program to completion off the cooperative pool; returns its exit status and stdout.
/// Output goes through a temporary file, not a pipe: a pipe's write end inherited by a child
/// that another test spawns at the same moment would hold back the end of file.
func runProgram(_ arguments: [String]) async throws -> (status: Int32, output: String) {
    try await DedicatedThread.runControl { () -> Result<(status: Int32, output: String), ControlError> in
        var template = Array("/tmp/psctl-out.XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { return .failure(.system(operation: "mkstemp", errno: errno)) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        unlink(template)
        defer { close(fd) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fd, 1)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let rc = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
        guard rc == 0 else { return .failure(.system(operation: "posix_spawn \(arguments[0])", errno: rc)) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var offset: off_t = 0
        while true {
            let n = pread(fd, &chunk, chunk.count, offset)
            guard n > 0 else { break }
            output += chunk.prefix(n)
            offset += off_t(n)
        }
        return .success((status, String(decoding: output, as: UTF8.self)))
    }
}
