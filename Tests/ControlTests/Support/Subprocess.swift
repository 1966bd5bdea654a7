#if canImport(Glibc)
import Glibc
#endif
@testable import Control

/// Runs a program to completion off the cooperative pool; returns its exit status and stdout.
func runProgram(_ arguments: [String]) async throws -> (status: Int32, output: String) {
    try await DedicatedThread.run { () -> Result<(status: Int32, output: String), ControlError> in
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { return .failure(.system(operation: "pipe", errno: errno)) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
        posix_spawn_file_actions_addclose(&actions, pipeFDs[0])
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let rc = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
        close(pipeFDs[1])
        defer { close(pipeFDs[0]) }
        guard rc == 0 else { return .failure(.system(operation: "posix_spawn \(arguments[0])", errno: rc)) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(pipeFDs[0], &chunk, chunk.count)
            if n > 0 { output += chunk.prefix(n) } else if n == 0 || errno != EINTR { break }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return .success((status, String(decoding: output, as: UTF8.self)))
    }
}
