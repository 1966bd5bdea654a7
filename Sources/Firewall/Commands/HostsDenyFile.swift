import Glibc
import PortsentryCore

/// Appends KILL_HOSTS_DENY lines to a TCP-wrappers deny file. The file is rewritten
/// atomically (temp file, fsync, rename) and keeps its mode and owner; an identical
/// existing line is not added twice.
public struct HostsDenyFile: Sendable {
    public let path: String

    public init(path: String = "/etc/hosts.deny") { self.path = path }

    public enum Failure: Error, CustomStringConvertible {
        case io(String, Int32)
        case text(String)
        public var description: String {
            switch self {
            case .io(let what, let err): return "\(what): \(String(cString: strerror(err)))"
            case .text(let text): return text
            }
        }
    }

    /// Adds `line`; returns false when the same line was already there (nothing written).
    @discardableResult
    public func append(_ line: String) throws(Failure) -> Bool {
        var existing: [UInt8] = []
        var mode: mode_t = 0o644
        var owner: (uid_t, gid_t)? = nil
        switch TextFile.bytes(of: path) {
        case .success(let bytes):
            existing = bytes
            var st = stat()
            if stat(path, &st) == 0 { mode = st.st_mode & 0o7777; owner = (st.st_uid, st.st_gid) }
        case .failure(.missing):
            break
        case .failure(.unreadable(let reason)):
            throw .text("cannot read \(path): \(reason)")
        }
        let lines = existing.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.contains(where: { $0.elementsEqual(line.utf8) }) { return false }

        var content = existing
        if let last = content.last, last != UInt8(ascii: "\n") { content.append(UInt8(ascii: "\n")) }
        content += Array(line.utf8) + [UInt8(ascii: "\n")]

        let temp = path + ".portsentry-tmp"
        let out = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard out >= 0 else { throw .io("cannot create \(temp)", errno) }
        var ok = fchmod(out, mode) == 0
        if ok, let (uid, gid) = owner { ok = fchown(out, uid, gid) == 0 }
        var written = 0
        while ok, written < content.count {
            let n = content.withUnsafeBytes { write(out, $0.baseAddress! + written, content.count - written) }
            if n < 0 { if errno == EINTR { continue }; ok = false } else { written += n }
        }
        if ok { ok = fsync(out) == 0 }
        let err = errno
        close(out)
        guard ok, rename(temp, path) == 0 else {
            let failure = ok ? errno : err
            unlink(temp)
            throw .io("cannot write \(path)", failure)
        }
        return true
    }
}
