import Glibc

/// Replaces a file so that a reader sees the old content or the new, never a mix: a temp file
/// beside it, every byte written (short writes and EINTR retried), fsync, rename, fsync of the
/// directory. STATE_FILE, BLOCKED_FILE and hosts.deny are written this way.
public enum AtomicFile {
    /// What failed, with the system's error number.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public let operation: String
        public let code: Int32
        public var description: String { "\(operation): \(String(cString: strerror(code)))" }
    }

    /// Writes `bytes` to `path` with `mode` (and `owner`, when given).
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600,
                             owner: (uid: uid_t, gid: gid_t)? = nil) throws(Failure) {
        let temp = path + ".portsentry-tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Failure(operation: "cannot create \(temp)", code: errno) }
        var failure: Failure? = nil
        if fchmod(fd, mode) != 0 { failure = Failure(operation: "cannot set the mode of \(temp)", code: errno) }
        if failure == nil, let owner, fchown(fd, owner.uid, owner.gid) != 0 {
            failure = Failure(operation: "cannot set the owner of \(temp)", code: errno)
        }
        var written = 0
        while failure == nil, written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno != EINTR { failure = Failure(operation: "cannot write \(path)", code: errno) }
            } else {
                written += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = Failure(operation: "cannot write \(path)", code: errno) }
        close(fd)
        if failure == nil, rename(temp, path) != 0 { failure = Failure(operation: "cannot replace \(path)", code: errno) }
        if let failure {
            unlink(temp)
            throw failure
        }
        let dirFD = open(directory(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 { fsync(dirFD); close(dirFD) }
    }

    /// The directory part of `path` (`.` for a bare name).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : dir
    }
}
