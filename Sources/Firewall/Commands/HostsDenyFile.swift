import Glibc
import PortsentryCore

/// Appends KILL_HOSTS_DENY lines to a TCP-wrappers deny file. The file is rewritten
/// atomically (temp file, fsync, rename) and keeps its mode and owner; an identical
/// existing line is not added twice.
public struct HostsDenyFile: Sendable {
    public let path: String

    public init(path: String = "/etc/hosts.deny") { self.path = path }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Adds `line`; returns false when the same line was already there (nothing written).
    @discardableResult
    public func append(_ line: String) throws(Failure) -> Bool {
        var existing: [UInt8] = []
        var mode: mode_t = 0o644
        var owner: (uid: uid_t, gid: gid_t)? = nil
        switch TextFile.bytes(of: path) {
        case .success(let bytes):
            existing = bytes
            var st = stat()
            if stat(path, &st) == 0 { mode = st.st_mode & 0o7777; owner = (st.st_uid, st.st_gid) }
        case .failure(.missing):
            break
        case .failure(.unreadable(let reason)):
            throw Failure(description: "cannot read \(path): \(reason)")
        }
        let lines = existing.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.contains(where: { $0.elementsEqual(line.utf8) }) { return false }

        var content = existing
        if let last = content.last, last != UInt8(ascii: "\n") { content.append(UInt8(ascii: "\n")) }
        content += Array(line.utf8) + [UInt8(ascii: "\n")]

        do {
            try AtomicFile.write(content, to: path, mode: mode, owner: owner)
        } catch {
            throw Failure(description: "\(error)")
        }
        return true
    }
}
