import Foundation

/// The answer of `POST /v1/watchers/login`: the watcher's JWT and when it expires.
struct LoginAnswer: Decodable {
    var token: String
    /// RFC 3339 text; absent or unreadable means one hour from now.
    var expire: String?

    /// Reads a login answer; nil when it holds no token.
    static func parse(_ data: Data) -> (token: String, expires: Date?)? {
        guard let answer = try? JSONDecoder().decode(LoginAnswer.self, from: data), !answer.token.isEmpty else { return nil }
        return (answer.token, answer.expire.flatMap { ISO8601DateFormatter().date(from: $0) })
    }
}

/// The body of a LAPI error answer (`{"message": "..."}`).
struct ErrorAnswer: Decodable {
    var message: String

    /// The message on one line; empty when the body holds none.
    static func message(in data: Data) -> String {
        let text = (try? JSONDecoder().decode(ErrorAnswer.self, from: data))?.message ?? ""
        return String(text.map { $0.isNewline ? " " : $0 })
    }
}
