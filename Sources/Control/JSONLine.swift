import FoundationEssentials

/// Encoding of protocol values (and EVENT_LOG's lines) as single JSON lines, and readable decoding errors.
public enum JSONLine {
    /// `value` as compact JSON with sorted keys, followed by a newline.
    public static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain structs of strings, numbers and arrays cannot fail.
        guard let data = try? encoder.encode(value) else { preconditionFailure("unencodable protocol value") }
        return Array(data) + [UInt8(ascii: "\n")]
    }

    /// One sentence naming the field and the problem.
    static func describe(_ error: DecodingError) -> String {
        func field(_ path: [any CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(let type, let context):
            return context.codingPath.isEmpty ? "expected a JSON object"
                : "\"\(field(context.codingPath))\" should be \(describe(type))"
        case .valueNotFound(let type, let context):
            return "\"\(field(context.codingPath))\" should be \(describe(type))"
        case .keyNotFound(let key, _):
            return "missing \"\(key.stringValue)\""
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "malformed JSON" : "\"\(field(context.codingPath))\" has an invalid value"
        @unknown default:
            return "malformed JSON"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is [String].Type: "an array of strings"
        case is Int.Type: "an integer"
        case is Double.Type: "a number"
        default: "of type \(type)"
        }
    }
}
