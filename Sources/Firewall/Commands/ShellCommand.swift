import CLinux
import Glibc
import PortsentryCore

/// How a KILL_* command ended.
public enum CommandResult: Sendable, Hashable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)
    case couldNotStart(Int32)
    /// Still running after the time limit: its process group was killed.
    case timedOut(seconds: Int)

    public var succeeded: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let code): return "exit status \(code)"
        case .signaled(let sig): return "killed by signal \(sig)"
        case .couldNotStart(let err): return "could not start: \(String(cString: strerror(err)))"
        case .timedOut(let seconds): return "still running after \(seconds) s, killed"
        }
    }
}

/// Runs a legacy KILL_* command through `/bin/sh -c`, as portsentry 2.x's system() did,
/// with posix_spawn and waitpid. Blocks the calling thread: call it from a dedicated thread.
/// A command still running after `timeout` seconds is killed with its process group, so one
/// hung command cannot hold up every action after it.
public enum ShellCommand {
    public static let defaultTimeout = 30

    public static func run(_ command: String, timeout: Int = defaultTimeout) -> CommandResult {
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The daemon blocks no signals, but reset the mask and defaults for the child anyway.
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGHUP, SIGINT, SIGTERM, SIGPIPE, SIGCHLD] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        // Its own process group (pgid = pid), so a timeout can kill what the shell started too.
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv = ["/bin/sh", "-c", command]
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        let rc = posix_spawn(&pid, "/bin/sh", &actions, &attributes, cArgs, environ)
        guard rc == 0 else { return .couldNotStart(rc) }
        let timedOut = !exits(pid, within: timeout)
        if timedOut { kill(-pid, SIGKILL) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return .couldNotStart(errno) }
        }
        if timedOut { return .timedOut(seconds: timeout) }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros; decode the status word directly.
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(status & 0x7f)
    }

    /// Waits until `pid` exits (without reaping it) or `seconds` pass; true if it exited.
    private static func exits(_ pid: pid_t, within seconds: Int) -> Bool {
        let fd = pidfd_open(pid, 0)
        guard fd >= 0 else { return true }   // no pidfd: let waitpid wait, as before
        defer { close(fd) }
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let deadline = MonotonicClock.now() + UInt64(max(seconds, 0)) * 1_000_000_000
        while true {
            let now = MonotonicClock.now()
            guard now < deadline else { return false }
            let n = poll(&entry, 1, Int32(clamping: (deadline - now + 999_999) / 1_000_000))
            if n > 0 { return true }
            if n < 0, errno != EINTR { return true }
        }
    }
}
