/// Values as a row of characters, one per value, scaled to the largest: `█` for the largest,
/// `▁` for the smallest that is not zero, a space for zero (`.` to `#` where the locale is not
/// UTF-8).
enum Sparkline {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    static let ascii: [Character] = [".", ",", ":", "-", "=", "+", "*", "#"]

    static func render(_ values: [Int], levels: [Character] = blocks) -> String {
        let top = values.max() ?? 0
        guard top > 0 else { return String(repeating: " ", count: values.count) }
        return String(values.map { value in
            guard value > 0 else { return " " }
            // The level of value/top in eighths, rounded up: 1/8 of the largest or less is ▁.
            return levels[(value * levels.count + top - 1) / top - 1]
        })
    }
}
