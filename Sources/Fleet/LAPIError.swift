/// Why a LAPI request failed: the LAPI could not be reached, or it answered with an error.
/// Never holds a secret.
struct LAPIError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status, when the LAPI answered.
    let status: Int?
    let description: String

    static func unreachable(_ why: String) -> LAPIError { LAPIError(status: nil, description: why) }
    static func http(_ status: Int, _ body: String) -> LAPIError {
        LAPIError(status: status, description: "HTTP \(status)" + (body.isEmpty ? "" : ": \(body.prefix(200))"))
    }
}
