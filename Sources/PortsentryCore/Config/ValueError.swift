/// Why one value (a config value, an ignore-file entry, a command-line argument) was rejected.
/// The message says what is wrong and how to fix it; callers add where the value came from.
public struct ValueError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

extension String {
    /// The text in double quotes for a one-line message (see `escapedForMessage`).
    var quotedForMessage: String { "\"" + escapedForMessage + "\"" }

    /// The text for a one-line message: quotes, backslashes, control and invisible format
    /// characters escaped; anything past 60 characters cut off with `...`.
    var escapedForMessage: String {
        var out = ""
        for (i, scalar) in unicodeScalars.enumerated() {
            if i == 60 { out += "..."; break }
            switch scalar {
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\n": out += "\\n"
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if scalar.breaksMessageLine {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

extension Unicode.Scalar {
    /// Whether the character is a control character (line breaks included), a line or paragraph
    /// separator, or an invisible format character, none of which a one-line message may show raw.
    var breaksMessageLine: Bool {
        if value < 0x80 { return value < 0x20 || value == 0x7f }
        return [.control, .format, .lineSeparator, .paragraphSeparator].contains(properties.generalCategory)
    }
}
