/// The host files the automatic protection reads: the routing tables in /proc and resolv.conf.
/// Pure parsers, each lenient about lines it does not understand (they are skipped).
public enum HostNetworkFiles {
    /// Gateways of the IPv4 default routes in `/proc/net/route` (destination and mask 0, a
    /// gateway set); addresses are in the kernel's native 32-bit words.
    public static func ipv4DefaultGateways(_ text: String) -> [IPAddress] {
        text.split(separator: "\n").dropFirst().compactMap { line in
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard f.count >= 8, f[1] == "00000000", f[7] == "00000000",
                  let word = UInt32(f[2], radix: 16), word != 0 else { return nil }
            return .v4(UInt32(bigEndian: word))
        }
    }

    /// Next hops of the IPv6 default routes in `/proc/net/ipv6_route` (`::/0` with a next hop).
    public static func ipv6DefaultGateways(_ text: String) -> [IPAddress] {
        text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count >= 5, f[1] == "00", f[0] == String(repeating: "0", count: 32),
                  let hop = hexAddress(f[4]), hop != .v6(high: 0, low: 0) else { return nil }
            return hop
        }
    }

    /// The `nameserver` addresses of a resolv.conf (a `%scope` suffix is dropped).
    public static func nameservers(_ text: String) -> [IPAddress] {
        TextLines.split(text).compactMap { _, line in
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard f.count >= 2, f[0] == "nameserver" else { return nil }
            return IPAddress(f[1].split(separator: "%", maxSplits: 1)[0])
        }
    }

    /// 32 hex digits, network order.
    private static func hexAddress(_ hex: Substring) -> IPAddress? {
        guard hex.count == 32, let high = UInt64(hex.prefix(16), radix: 16), let low = UInt64(hex.suffix(16), radix: 16)
        else { return nil }
        return .v6(high: high, low: low)
    }
}
