/// METRICS_LISTEN: the one address and port the Prometheus endpoint listens on
/// (docs/metrics.md). The endpoint has no authentication, so a wildcard (`0.0.0.0`, `[::]`,
/// `*`, a bare port) is refused: a non-loopback address is served only when named itself.
public struct MetricsListen: Sendable, Hashable, CustomStringConvertible {
    public var address: IPAddress
    public var port: UInt16

    /// portsentry's port: marked free in Prometheus's default port allocations (beside the
    /// nftables exporter's 9630 and the fail2ban exporter's 9635).
    public static let defaultPort: UInt16 = 9632

    public init(address: IPAddress, port: UInt16) { self.address = address; self.port = port }

    /// Whether only this host can reach it.
    public var isLoopback: Bool { address.unmapped.isLoopback }

    /// `127.0.0.1:9632`, `[::1]:9632`: the form the key takes.
    public var description: String {
        address.family == .inet ? "\(address):\(port)" : "[\(address)]:\(port)"
    }

    /// Reads `ADDRESS:PORT`: an IPv4 address, an IPv6 address in brackets, or `localhost`
    /// (127.0.0.1); the port from 1 to 65535.
    public static func parse(_ text: String) throws(ValueError) -> MetricsListen {
        let example = "127.0.0.1:\(defaultPort)"
        let everywhere = "would serve metrics on every address, and the endpoint has no authentication; write \(example) (this host only) or name the one address Prometheus scrapes, e.g. 192.0.2.10:\(defaultPort)"
        if !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            throw ValueError("\(text.quotedForMessage) names no address: it \(everywhere)")
        }
        let (host, portText) = try split(text, example: example)
        guard let port = UInt16(portText), port > 0, portText.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw ValueError("\(portText.quotedForMessage) in \(text.quotedForMessage) is not a port; use 1 to 65535 (\(defaultPort) is portsentry's)")
        }
        if host.isEmpty || host == "*" { throw ValueError("\(text.quotedForMessage) \(everywhere)") }
        guard let address = host == "localhost" ? IPAddress.v4(0x7f00_0001) : IPAddress(host) else {
            throw ValueError("\(host.quotedForMessage) is not an IP address; write one (\(example), [::1]:\(defaultPort)): host names are not looked up")
        }
        if address.unmapped == .v4(0) || address == .v6(high: 0, low: 0) { throw ValueError("\(text.quotedForMessage) \(everywhere)") }
        return MetricsListen(address: address, port: port)
    }

    /// `HOST:PORT` or `[V6]:PORT` into host and port text.
    private static func split(_ text: String, example: String) throws(ValueError) -> (host: String, port: String) {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw ValueError("\(text.quotedForMessage) is not ADDRESS:PORT; write an IPv6 address as [::1]:\(defaultPort)")
            }
            return (String(text[text.index(after: text.startIndex)..<close]), String(text[text.index(close, offsetBy: 2)...]))
        }
        let colons = text.count { $0 == ":" }
        if colons > 1 {
            throw ValueError("\(text.quotedForMessage) is not ADDRESS:PORT; put an IPv6 address in brackets: [::1]:\(defaultPort)")
        }
        guard colons == 1, let colon = text.firstIndex(of: ":") else {
            throw ValueError("\(text.quotedForMessage) has no port; write ADDRESS:PORT, e.g. \(example)")
        }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
}
