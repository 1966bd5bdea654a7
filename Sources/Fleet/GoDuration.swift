/// Go's `time.Duration` text as the LAPI writes it (`3h59m58.123456789s`, `-17h44m25s`, `1.5µs`,
/// `0s`): sign, fractions and the units h, m, s, ms, us/µs, ns.
enum GoDuration {
    /// The duration in seconds, or nil when `text` is not a Go duration.
    static func seconds(_ text: String) -> Double? {
        var scalars = Array(text.unicodeScalars)[...]
        var sign = 1.0
        if let first = scalars.first, first == "-" || first == "+" {
            if first == "-" { sign = -1 }
            scalars = scalars.dropFirst()
        }
        if scalars.count == 1, scalars.first == "0" { return 0 }
        guard !scalars.isEmpty, scalars.count <= 64 else { return nil }
        var total = 0.0
        while !scalars.isEmpty {
            let number = scalars.prefix { ("0"..."9").contains($0) || $0 == "." }
            guard !number.isEmpty, number.filter({ $0 == "." }).count <= 1, number != ["."],
                  let value = Double(String(String.UnicodeScalarView(number))) else { return nil }
            scalars = scalars.dropFirst(number.count)
            let unit = String(String.UnicodeScalarView(scalars.prefix { !("0"..."9").contains($0) && $0 != "." }))
            scalars = scalars.dropFirst(unit.unicodeScalars.count)
            guard let scale = units[unit] else { return nil }
            total += value * scale
        }
        return sign * total
    }

    private static let units: [String: Double] = [
        "h": 3600, "m": 60, "s": 1, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ns": 1e-9,
    ]
}
