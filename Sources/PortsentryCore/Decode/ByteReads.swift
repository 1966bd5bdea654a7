/// Network-order reads for the decoder. Callers check the length first; the subscripts behind
/// these reads are bounds-checked in debug builds, which is what the fuzz test relies on.
extension UnsafeRawBufferPointer {
    @inline(__always)
    func bigEndianU16(at i: Int) -> UInt16 { UInt16(self[i]) << 8 | UInt16(self[i + 1]) }

    @inline(__always)
    func bigEndianU32(at i: Int) -> UInt32 {
        UInt32(self[i]) << 24 | UInt32(self[i + 1]) << 16 | UInt32(self[i + 2]) << 8 | UInt32(self[i + 3])
    }

    @inline(__always)
    func bigEndianU64(at i: Int) -> UInt64 {
        UInt64(bigEndianU32(at: i)) << 32 | UInt64(bigEndianU32(at: i + 4))
    }
}
