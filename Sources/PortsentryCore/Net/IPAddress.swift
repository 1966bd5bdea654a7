/// An IPv4 or IPv6 address as a plain value; parsing and printing are pure Swift.
public enum IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// IPv4, host byte order.
    case v4(UInt32)
    /// IPv6 as two 64-bit halves, host byte order (`high` holds the first 8 bytes).
    case v6(high: UInt64, low: UInt64)

    public var family: AddressFamily { if case .v4 = self { .inet } else { .inet6 } }

    /// Network-order bytes: 4 for IPv4, 16 for IPv6.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let a): return (0..<4).map { UInt8(truncatingIfNeeded: a >> (24 - 8 * $0)) }
        case .v6(let h, let l):
            return (0..<8).map { UInt8(truncatingIfNeeded: h >> (56 - 8 * $0)) }
                + (0..<8).map { UInt8(truncatingIfNeeded: l >> (56 - 8 * $0)) }
        }
    }

    /// Builds an address from 4 or 16 network-order bytes; nil for any other count.
    public init?<C: Collection>(bytes: C) where C.Element == UInt8 {
        switch bytes.count {
        case 4: self = .v4(bytes.reduce(0) { $0 << 8 | UInt32($1) })
        case 16:
            let h = bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let l = bytes.dropFirst(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            self = .v6(high: h, low: l)
        default: return nil
        }
    }

    /// The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), else self.
    public var unmapped: IPAddress {
        if case .v6(0, let l) = self, l >> 32 == 0xffff { return .v4(UInt32(truncatingIfNeeded: l)) }
        return self
    }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (including `::` and an embedded IPv4 tail).
    /// Accepts no zone index, no whitespace and no leading `+`/`-`.
    public init?(_ text: some StringProtocol) {
        guard let v = IPAddress.parse(Substring(text)) else { return nil }   // not generic inside, as CIDR.parse
        self = v
    }

    private static func parse(_ text: Substring) -> IPAddress? {
        text.utf8.contains(UInt8(ascii: ":")) ? parseV6(text) : parseV4(text).map { .v4($0) }
    }

    /// Four decimal octets of 1 to 3 ASCII digits, read as bytes (a state file of 100,000 bans
    /// parses its addresses here: Characters cost several times as much).
    static func parseV4(_ s: Substring) -> UInt32? {
        var s = s
        return s.withUTF8(parseV4(bytes:))
    }

    /// `parseV4` of UTF-8 bytes: what a state file's lines are read as.
    public static func parseV4(bytes: UnsafeBufferPointer<UInt8>) -> UInt32? {
        var value: UInt32 = 0, octet: UInt32 = 0, digits = 0, dots = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | octet
                dots += 1; octet = 0; digits = 0
            } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte), digits < 3 {
                octet = octet * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                guard octet <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard dots == 3, digits > 0 else { return nil }
        return value << 8 | octet
    }

    static func parseV6(_ s: Substring) -> IPAddress? {
        // Split once at "::"; each side is a list of 16-bit hex groups, the last may be IPv4.
        let halves = s.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String, allowV4Tail: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            var out: [UInt16] = []
            for (i, f) in fields.enumerated() {
                if allowV4Tail, i == fields.count - 1, f.contains(".") {
                    guard let v4 = parseV4(f) else { return nil }
                    out += [UInt16(v4 >> 16), UInt16(v4 & 0xffff)]
                } else {
                    guard (1...4).contains(f.count), f.allSatisfy({ $0.isASCII && $0.isHexDigit }),
                          let g = UInt16(f, radix: 16) else { return nil }
                    out.append(g)
                }
            }
            return out
        }
        var all: [UInt16]
        if halves.count == 2 {
            guard let head = groups(halves[0], allowV4Tail: false),
                  let tail = groups(halves[1], allowV4Tail: true),
                  head.count + tail.count <= 7 else { return nil }
            all = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let g = groups(halves[0], allowV4Tail: true), g.count == 8 else { return nil }
            all = g
        }
        let h = all[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        let l = all[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        return .v6(high: h, low: l)
    }

    /// `127.0.0.0/8` or `::1`.
    public var isLoopback: Bool {
        switch self {
        case .v4(let a): a >> 24 == 127
        case .v6(let h, let l): h == 0 && l == 1
        }
    }

    /// Canonical text: dotted quad, or RFC 5952 IPv6 (lowercase, longest zero run as `::`,
    /// `::ffff:a.b.c.d` for mapped addresses), as `inet_ntop` prints it.
    public var description: String {
        switch self {
        case .v4(let a):
            return "\(a >> 24).\(a >> 16 & 0xff).\(a >> 8 & 0xff).\(a & 0xff)"
        case .v6(let h, let l):
            let g: [UInt16] = (0..<4).map { UInt16(truncatingIfNeeded: h >> (48 - 16 * $0)) }
                + (0..<4).map { UInt16(truncatingIfNeeded: l >> (48 - 16 * $0)) }
            if h == 0, l >> 32 == 0xffff {
                return "::ffff:" + IPAddress.v4(UInt32(truncatingIfNeeded: l)).description
            }
            // Longest run of zero groups (length >= 2), first one on ties.
            var bestStart = -1, bestLen = 0, i = 0
            while i < 8 {
                if g[i] == 0 {
                    var j = i
                    while j < 8, g[j] == 0 { j += 1 }
                    if j - i > bestLen, j - i >= 2 { bestStart = i; bestLen = j - i }
                    i = j
                } else { i += 1 }
            }
            func hex(_ r: Range<Int>) -> String { r.map { String(g[$0], radix: 16) }.joined(separator: ":") }
            if bestStart < 0 { return hex(0..<8) }
            return hex(0..<bestStart) + "::" + hex((bestStart + bestLen)..<8)
        }
    }

    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        switch (a, b) {
        case (.v4(let x), .v4(let y)): return x < y
        case (.v4, .v6): return true
        case (.v6, .v4): return false
        case (.v6(let h1, let l1), .v6(let h2, let l2)): return (h1, l1) < (h2, l2)
        }
    }
}

/// Address family with the Linux numeric values used in BLOCKED_FILE records.
public enum AddressFamily: UInt16, Sendable, Hashable, CaseIterable {
    case inet = 2
    case inet6 = 10

    /// Bits in an address: 32 or 128.
    public var width: Int { self == .inet ? 32 : 128 }

    /// nftables' name for the family of a host address (`ip`/`ip6`).
    public var nftName: String { self == .inet ? "ip" : "ip6" }
}
