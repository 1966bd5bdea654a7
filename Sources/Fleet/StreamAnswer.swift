import Foundation

/// One answer of `GET /v1/decisions/stream`, read leniently: `new` and `deleted` may be missing,
/// `null` or `[]`; each item is read on its own, so one malformed item is counted and skipped,
/// never the batch.
struct StreamAnswer: Decodable {
    var new: [Item]
    var deleted: [Item]

    /// One decision, or why it could not be read.
    enum Item: Decodable {
        case decision(StreamDecision)
        case malformed(String)

        init(from decoder: any Decoder) throws {
            do {
                self = .decision(try StreamDecision(from: decoder))
            } catch {
                self = .malformed(Self.describe(error))
            }
        }

        private static func describe(_ error: any Error) -> String {
            switch error as? DecodingError {
            case .typeMismatch(_, let c)?, .valueNotFound(_, let c)?, .keyNotFound(_, let c)?, .dataCorrupted(let c)?:
                let path = c.codingPath.map(\.stringValue).filter { !$0.hasPrefix("Index") }.joined(separator: ".")
                return path.isEmpty ? c.debugDescription : "\(path): \(c.debugDescription)"
            default: return "\(error)"
            }
        }
    }

    private enum Keys: String, CodingKey { case new, deleted }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        new = try Self.list(c, .new)
        deleted = try Self.list(c, .deleted)
    }

    init(new: [Item] = [], deleted: [Item] = []) { self.new = new; self.deleted = deleted }

    /// A list that may be missing or null; one that is not a list is one malformed item.
    private static func list(_ c: KeyedDecodingContainer<Keys>, _ key: Keys) throws -> [Item] {
        guard c.contains(key), try !c.decodeNil(forKey: key) else { return [] }
        do {
            return try c.decode([Item].self, forKey: key)
        } catch {
            return [.malformed("\(key.stringValue) is not a list")]
        }
    }

    /// Parses a body; nil when it is not a JSON object at all.
    static func parse(_ data: Data) -> StreamAnswer? {
        try? JSONDecoder().decode(StreamAnswer.self, from: data)
    }
}

/// A decision as the stream gives it; unknown fields (`uuid`, `until` ...) are ignored.
struct StreamDecision: Decodable, Hashable {
    var id: Int64?
    var origin: String
    var type: String
    var scope: String
    var value: String
    /// Go duration text; negative in `deleted`.
    var duration: String
    var scenario: String?
}
