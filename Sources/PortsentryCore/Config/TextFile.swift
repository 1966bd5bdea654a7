#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads small files (config, ignore lists, BLOCKED_FILE, hosts.deny) in one go, telling a missing file apart
/// from one that cannot be read.
public enum TextFile {
    public enum Outcome: Sendable, Hashable {
        /// The file's text; invalid UTF-8 is replaced by U+FFFD.
        case text(String)
        /// The file does not exist.
        case missing
        /// The file exists but could not be read; the reason is the system's text.
        case unreadable(String)
    }

    /// Files larger than this are refused (a config or ignore file never is).
    public static let sizeLimit = 64 << 20

    public static func contents(of path: String) -> Outcome {
        switch bytes(of: path) {
        case .success(let bytes): return .text(String(decoding: bytes, as: UTF8.self))
        case .failure(.missing): return .missing
        case .failure(.unreadable(let reason)): return .unreadable(reason)
        }
    }

    /// Why a file's bytes could not be read.
    public enum ReadFailure: Error, Sendable, Hashable {
        case missing
        case unreadable(String)
    }

    /// The whole file as bytes (the binary BLOCKED_FILE, hosts.deny, or text before decoding).
    public static func bytes(of path: String) -> Result<[UInt8], ReadFailure> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return .failure(errno == ENOENT ? .missing : .unreadable(systemMessage(errno))) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(.unreadable(systemMessage(errno)))
            }
            if n == 0 { return .success(bytes) }
            bytes += chunk[0..<n]
            if bytes.count > sizeLimit { return .failure(.unreadable("larger than \(sizeLimit >> 20) MiB")) }
        }
    }

    private static func systemMessage(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
