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

extension PortSet {
    /// Parses a port list: comma-separated ports and `A-B` ranges, each 1...65535 with A ≤ B
    /// (`1,7,9,69,100-200`). Spaces around items are allowed; the empty string is the empty set.
    public static func parse(_ text: String) throws(ValueError) -> PortSet {
        if text.allSatisfy({ $0 == " " || $0 == "\t" }) { return .empty }
        var ranges: [ClosedRange<UInt16>] = []
        for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = raw.trimmingBlanks
            guard !item.isEmpty else {
                throw ValueError("empty item in the port list (two commas in a row, or a comma at an end); remove the extra comma")
            }
            let bounds = item.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            let low = try port(bounds[0], item: item)
            let high = bounds.count == 2 ? try port(bounds[1], item: item) : low
            guard low <= high else {
                throw ValueError("bad range \(String(item).quotedForMessage): \(low) is above \(high); write the lower port first")
            }
            ranges.append(low...high)
        }
        return PortSet(ranges)
    }

    /// One port number 1...65535 (digits only).
    public static func parsePort(_ text: String) throws(ValueError) -> UInt16 {
        try port(Substring(text), item: Substring(text))
    }

    private static func port(_ digits: Substring, item: Substring) throws(ValueError) -> UInt16 {
        guard !digits.isEmpty, digits.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) else {
            throw ValueError("bad port \(String(item).quotedForMessage): use port numbers 1-65535 and ranges like 100-200, separated by commas")
        }
        guard digits.count <= 5, let value = Int(digits), (1...65_535).contains(value) else {
            throw ValueError("bad port \(String(item).quotedForMessage): ports are 1-65535")
        }
        return UInt16(value)
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and carriage returns.
    var trimmingBlanks: SubSequence {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !blank($0) }), let last = lastIndex(where: { !blank($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
