import Glibc

/// `-D`: the daemon starts itself again in a new session, without `-D` and logging to syslog,
/// and the first process exits. Re-executing instead of fork(2) keeps the Swift runtime's
/// threads out of the picture.
enum Daemonize {
    static func relaunchInBackground() -> Int32 {
        var args = CommandLine.arguments.filter { $0 != "-D" && $0 != "--daemon" }
        args.append(contentsOf: ["-l", "syslog"])
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(0x80)) // POSIX_SPAWN_SETSID (glibc 2.26+), not exported by the Glibc module
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let cArgs = args.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/proc/self/exe", &actions, &attributes, cArgs, environ)
        guard rc == 0 else {
            PortsentryDaemon.printError("Cannot start in the background: \(String(cString: strerror(rc)))")
            return 1
        }
        return 0
    }
}
