/// BLOCKED_FILE's binary format (docs/configuration.md): per host, a native-endian 2-byte address family
/// (2 = IPv4, 10 = IPv6) followed by the 4 or 16 address bytes.
public enum BlockedRecord {
    /// The 6- or 18-byte record of one address.
    public static func encode(_ address: IPAddress) -> [UInt8] {
        let family = address.family.rawValue
        return withUnsafeBytes(of: family) { Array($0) } + address.bytes
    }

    /// Decodes a whole file; a truncated tail or an unknown family ends the read
    /// (returned in `damagedAt` as the byte offset) so a damaged file never stops the daemon.
    public static func decode(_ bytes: [UInt8]) -> (addresses: [IPAddress], damagedAt: Int?) {
        var out: [IPAddress] = []
        var i = 0
        while i < bytes.count {
            guard i + 2 <= bytes.count else { return (out, i) }
            let family = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i, as: UInt16.self) }
            let length: Int
            switch AddressFamily(rawValue: family) {
            case .inet: length = 4
            case .inet6: length = 16
            case nil: return (out, i)
            }
            guard i + 2 + length <= bytes.count,
                  let address = IPAddress(bytes: bytes[(i + 2)..<(i + 2 + length)]) else { return (out, i) }
            out.append(address)
            i += 2 + length
        }
        return (out, nil)
    }
}
