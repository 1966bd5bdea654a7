/// A set of TCP or UDP ports with O(1) membership (a 65,536-bit map) and the ports in order.
public struct PortSet: Sendable, Hashable {
    private var words: [UInt64]
    /// Every port in the set, ascending, without duplicates.
    public private(set) var ports: [UInt16]

    public init<S: Sequence>(_ ranges: S) where S.Element == ClosedRange<UInt16> {
        words = Array(repeating: 0, count: 1024)
        for r in ranges { for p in r { words[Int(p) >> 6] |= 1 << UInt64(p & 63) } }
        ports = []
        for w in 0..<1024 where words[w] != 0 {
            for b in 0..<64 where words[w] & (1 << UInt64(b)) != 0 { ports.append(UInt16(w * 64 + b)) }
        }
    }

    public static let empty = PortSet([])

    public var isEmpty: Bool { ports.isEmpty }

    public func contains(_ port: UInt16) -> Bool { words[Int(port) >> 6] & (1 << UInt64(port & 63)) != 0 }

    /// The ports of `self` not in `other`.
    public func subtracting(_ other: PortSet) -> PortSet {
        PortSet(ports.filter { !other.contains($0) }.map { $0...$0 })
    }
}
