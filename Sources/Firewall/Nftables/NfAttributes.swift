import PortsentryCore

/// The netlink attributes (type, length, value, each padded to 4 bytes) of one nf_tables
/// message or nested attribute, read in place. nf_tables puts numbers in network byte order.
struct NfAttributes {
    let bytes: UnsafeRawBufferPointer

    /// Calls `body` with each attribute's type (the nested and byte-order flags masked off) and
    /// value; a truncated attribute ends the walk.
    func forEach(_ body: (UInt16, NfAttributes) -> Void) {
        var offset = 0
        while offset + 4 <= bytes.count {
            let length = Int(bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            let type = bytes.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self) & 0x3fff
            guard length >= 4, offset + length <= bytes.count else { return }
            body(type, NfAttributes(bytes: UnsafeRawBufferPointer(rebasing: bytes[offset + 4..<offset + length])))
            offset += (length + 3) & ~3
        }
    }

    /// The first attribute of `type`.
    func first(_ type: UInt16) -> NfAttributes? {
        var found: NfAttributes?
        forEach { t, value in if found == nil, t == type { found = value } }
        return found
    }

    /// The value as a NUL-terminated string.
    var string: String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    var u32: UInt32? {
        bytes.count >= 4 ? UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self)) : nil
    }

    var u64: UInt64? {
        bytes.count >= 8 ? UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)) : nil
    }

    /// The value's bytes, copied.
    var array: [UInt8] { Array(bytes) }

    /// An address key of 4 or 16 bytes (network order).
    var address: IPAddress? {
        switch bytes.count {
        case 4: return .v4(UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self)))
        case 16: return .v6(high: UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)),
                            low: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        default: return nil
        }
    }
}
