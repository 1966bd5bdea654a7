/// Addresses and networks whose probes are never acted on (IGNORE_FILE).
/// Placeholder interface; the parser and the fast matcher replace this body.
public struct IgnoreList: Sendable, Hashable {
    public static let empty = IgnoreList()
    public init() {}
    /// Whether `address` (IPv4-mapped IPv6 matched as IPv4) is covered by an entry.
    public func contains(_ address: IPAddress) -> Bool { false }
}
