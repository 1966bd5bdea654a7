import Glibc

/// BLOCKED_FILE: the binary list of blocked hosts (6/18-byte records, see `BlockedRecord`).
/// Additions are appended; removals rewrite the file atomically.
public struct BlockedFile: Sendable {
    public let path: String
    public init(path: String) { self.path = path }

    /// Reads every record; a missing file is an empty list.
    public func load() -> [IPAddress] {
        guard case .success(let bytes) = TextFile.bytes(of: path) else { return [] }
        return BlockedRecord.decode(bytes).addresses
    }

    /// Appends one record; returns the errno on failure.
    public func append(_ address: IPAddress) -> Int32? {
        let record = BlockedRecord.encode(address)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        return record.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == record.count ? nil : errno
    }

    /// Rewrites the file to list exactly `hosts`: the records it has that are still in `hosts`,
    /// in their order, then the others; returns the errno on failure.
    public func rewrite(listing hosts: Set<IPAddress>) -> Int32? {
        let listed = load().filter(hosts.contains)
        let missing = hosts.subtracting(listed).sorted { $0.description < $1.description }
        return replace(with: listed + missing)
    }

    /// Rewrites the file without `addresses`; returns the errno on failure.
    public func remove(_ addresses: Set<IPAddress>) -> Int32? {
        replace(with: load().filter { !addresses.contains($0) })
    }

    private func replace(with hosts: [IPAddress]) -> Int32? {
        do {
            try AtomicFile.write(hosts.flatMap(BlockedRecord.encode), to: path)
            return nil
        } catch {
            return error.code
        }
    }
}
