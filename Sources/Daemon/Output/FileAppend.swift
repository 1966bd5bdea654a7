import Glibc

/// Writes for the output files: every byte or an errno, and appends to a file opened for that
/// write only (`O_APPEND`, created mode 0600), so logrotate can move the file at any time and
/// the next write creates a new one.
enum FileAppend {
    /// Appends `bytes` to `path`; returns the errno on failure.
    static func append(_ bytes: [UInt8], to path: String) -> Int32? {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        return writeAll(fd, bytes)
    }

    /// Writes every byte of `bytes` to `fd` (again after a short write or EINTR); returns the
    /// errno on failure.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        var rest = bytes[...]
        while !rest.isEmpty {
            let n = rest.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            rest = rest.dropFirst(n)
        }
        return nil
    }
}
