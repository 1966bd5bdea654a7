#if canImport(Glibc)
import Glibc
#endif

/// The filesystem side of the control socket: its directory, a stale file from an earlier run,
/// and the modes that keep it to root (and CONTROL_GROUP).
enum SocketFile {
    /// Identity of a file, to remove only the socket this process created.
    struct Identity: Hashable, Sendable {
        var device: UInt64
        var inode: UInt64
    }

    /// Creates the socket's directory if missing (0700, or 0750 owned by `group`).
    /// An existing directory is left as it is; returns a warning when `group` cannot get through it.
    static func prepareDirectory(for path: String, group: gid_t?) throws(ControlError) -> String? {
        let directory = parent(of: path)
        var info = stat()
        if lstat(directory, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw .system(operation: "control socket directory \(directory)", errno: ENOTDIR)
            }
            if let group, info.st_gid != group || info.st_mode & S_IXGRP == 0, info.st_mode & S_IXOTH == 0 {
                return "control socket directory \(directory) is not searchable by group \(group); members of CONTROL_GROUP cannot connect"
            }
            return nil
        }
        guard errno == ENOENT else { throw .system(operation: "stat \(directory)", errno: errno) }
        if parent(of: directory) != directory { _ = try prepareDirectory(for: directory, group: nil) }
        guard mkdir(directory, 0o700) == 0 || errno == EEXIST else {
            throw .system(operation: "mkdir \(directory)", errno: errno)
        }
        if let group {
            try setGroup(of: directory, to: group)
            guard chmod(directory, 0o750) == 0 else { throw .system(operation: "chmod \(directory)", errno: errno) }
        }
        return nil
    }

    /// Removes a socket file left by a daemon that is gone; fails if a daemon still answers on it
    /// or if the path holds something that is not a socket.
    static func removeIfStale(_ path: String) throws(ControlError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            guard errno == ENOENT else { throw .system(operation: "stat \(path)", errno: errno) }
            return
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path) }
        let probe = try UnixSocket.make(nonBlocking: true)
        defer { close(probe) }
        switch try UnixSocket.connect(probe, to: path) {
        case ECONNREFUSED:
            guard unlink(path) == 0 || errno == ENOENT else { throw .system(operation: "unlink \(path)", errno: errno) }
        case ENOENT:
            return
        case 0, EAGAIN, EINPROGRESS:
            throw .alreadyServing(path)
        case let code:
            throw .system(operation: "connect \(path)", errno: code)
        }
    }

    /// Restricts a freshly bound socket (owned by the daemon's user, as `bind` made it): 0600, or
    /// 0660 with `group`.
    static func restrict(_ path: String, group: gid_t?) throws(ControlError) -> Identity {
        if let group { try setGroup(of: path, to: group) }
        guard chmod(path, group == nil ? 0o600 : 0o660) == 0 else { throw .system(operation: "chmod \(path)", errno: errno) }
        guard let identity = identity(of: path) else { throw .system(operation: "stat \(path)", errno: errno) }
        return identity
    }

    /// Gives `path` to `group`, calling `chown` only if it belongs to another group: a file the
    /// daemon made already has its group (portsentry.service's Group=), and the unit's system
    /// call filter refuses `chown` (docs/installation.md).
    private static func setGroup(of path: String, to group: gid_t) throws(ControlError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw .system(operation: "stat \(path)", errno: errno) }
        guard info.st_gid != group else { return }
        guard chown(path, uid_t.max, group) == 0 else {
            throw .system(operation: "give \(path) to group \(group) (CONTROL_GROUP)", errno: errno)
        }
    }

    /// Unlinks `path` only if it is still the file `identity` names.
    static func remove(_ path: String, ifStill identity: Identity) {
        if self.identity(of: path) == identity { unlink(path) }
    }

    private static func identity(of path: String) -> Identity? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
