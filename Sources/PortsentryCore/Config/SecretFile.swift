import Glibc

/// Files that hold secrets (CrowdSec passwords and keys): readable by their owner's side only,
/// as ssh demands of its keys.
public enum SecretFile {
    /// Why `path` exposes its secret (readable or writable by everyone), or nil when it does not
    /// (or cannot be examined: reading it reports that).
    public static func exposure(of path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        if info.st_mode & S_IROTH != 0 { return "it is readable by every user (mode \(String(info.st_mode & 0o777, radix: 8)))" }
        if info.st_mode & S_IWOTH != 0 { return "it is writable by every user (mode \(String(info.st_mode & 0o777, radix: 8)))" }
        return nil
    }
}
