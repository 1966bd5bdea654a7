/// A set of TCP or UDP ports with O(1) membership (a 65,536-bit map) and the ports in order.
public struct PortSet: Sendable, Hashable {
    private var words: [UInt64]
    /// Every port in the set, ascending, without duplicates.
    public private(set) var ports: [UInt16]

    public init<S: Sequence>(_ ranges: S) where S.Element == ClosedRange<UInt16> {
        words = Array(repeating: 0, count: 1024)
        ports = []
        // Sorted and merged first, so `ports` is built by appending whole ranges.
        var merged: [ClosedRange<UInt16>] = []
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, Int(r.lowerBound) <= Int(last.upperBound) + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                merged.append(r)
            }
        }
        ports.reserveCapacity(merged.reduce(0) { $0 + $1.count })
        for r in merged {
            var port = Int(r.lowerBound)
            while port <= Int(r.upperBound) {
                ports.append(UInt16(port))
                port += 1
            }
            // Whole words at a time: bits lo...hi of each word the range touches.
            var word = Int(r.lowerBound)
            while word <= Int(r.upperBound) {
                let lo = word & 63, hi = min(63, Int(r.upperBound) - (word & ~63))
                words[word >> 6] |= (~UInt64(0) >> UInt64(63 - hi)) & (~UInt64(0) << UInt64(lo))
                word = (word | 63) + 1
            }
        }
    }

    public static let empty = PortSet([])

    public var isEmpty: Bool { ports.isEmpty }

    public func contains(_ port: UInt16) -> Bool { words[Int(port) >> 6] & (1 << UInt64(port & 63)) != 0 }

    /// The ports in `self` or in `other`.
    public func union(_ other: PortSet) -> PortSet {
        PortSet(words: zip(words, other.words).map { $0 | $1 })
    }

    /// The ports of `self` not in `other`.
    public func subtracting(_ other: PortSet) -> PortSet {
        PortSet(words: zip(words, other.words).map { $0 & ~$1 })
    }

    private init(words: [UInt64]) {
        self.words = words
        ports = []
        ports.reserveCapacity(words.reduce(0) { $0 + $1.nonzeroBitCount })
        for (index, word) in words.enumerated() where word != 0 {
            var bits = word
            while bits != 0 {
                ports.append(UInt16(index * 64 + bits.trailingZeroBitCount))
                bits &= bits - 1
            }
        }
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
    var trimmingBlanks: Substring {
        let scalars = Substring(self).unicodeScalars
        let isText: (Unicode.Scalar) -> Bool = { $0 != " " && $0 != "\t" && $0 != "\r" }
        guard let first = scalars.firstIndex(where: isText), let last = scalars.lastIndex(where: isText) else { return "" }
        return Substring(scalars[first...last])
    }
}
