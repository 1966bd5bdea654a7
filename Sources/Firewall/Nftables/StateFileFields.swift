/// The tab-separated fields of one state-file or journal line, read as bytes in place.
struct StateFileFields {
    private let line: UnsafeBufferPointer<UInt8>
    private var position: Int?

    init(_ line: UnsafeBufferPointer<UInt8>) {
        self.line = line
        position = 0
    }

    /// The next field (empty between two tabs); nil after the last one.
    mutating func next() -> UnsafeBufferPointer<UInt8>? {
        guard let start = position else { return nil }
        let end = line[start...].firstIndex(of: UInt8(ascii: "\t"))
        position = end.map { $0 + 1 }
        return UnsafeBufferPointer(rebasing: line[start..<(end ?? line.count)])
    }

    /// Whether every field has been read.
    var atEnd: Bool { position == nil }

    static func equal(_ field: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
        field.count == text.utf8CodeUnitCount && field.elementsEqual(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    static func equal(_ field: UnsafeBufferPointer<UInt8>, _ text: String) -> Bool {
        field.elementsEqual(text.utf8)
    }
}

/// A decimal integer field read the way Swift's integer parsers read text (`Int64("…")`): an
/// optional `+` or `-`, then at least one ASCII digit, nil when out of the type's range.
struct DecimalField {
    private let negative: Bool
    private let magnitude: UInt64

    init?(_ field: UnsafeBufferPointer<UInt8>) {
        var digits = field[...]
        negative = field.first == UInt8(ascii: "-")
        if negative || field.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        guard !digits.isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(digit))
            guard !o1, !o2 else { return nil }
            value = sum
        }
        magnitude = value
    }

    var int64: Int64? {
        if negative { return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }
    var int: Int? { int64.map(Int.init) }
    var uint64: UInt64? { negative && magnitude != 0 ? nil : magnitude }
    var uint16: UInt16? { uint64.flatMap { $0 <= UInt64(UInt16.max) ? UInt16($0) : nil } }
}
