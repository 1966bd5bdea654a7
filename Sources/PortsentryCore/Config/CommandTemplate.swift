/// A KILL_ROUTE, KILL_HOSTS_DENY or KILL_RUN_CMD string with its tokens:
/// `$TARGET$` (the source address), `$PORT$` (the destination port), `$MODE$` (`stealth` or `connect`).
public struct CommandTemplate: Sendable, Hashable {
    public let text: String

    public init(_ text: String) { self.text = text }

    /// Whether the text contains `$TARGET$`.
    public var mentionsTarget: Bool { text.contains("$TARGET$") }

    /// The text with every token replaced; other `$...$` sequences stay as they are.
    /// Substituted values are not scanned again.
    public func render(target: IPAddress, port: UInt16, mode: SentryMode) -> String {
        let values = ["$TARGET$": target.description, "$PORT$": String(port), "$MODE$": mode.rawValue]
        var out = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            let tail = rest[dollar...]
            if let (token, value) = values.first(where: { tail.hasPrefix($0.key) }) {
                out += value
                rest = tail.dropFirst(token.count)
            } else {
                out += "$"
                rest = tail.dropFirst()
            }
        }
        return out + rest
    }
}
