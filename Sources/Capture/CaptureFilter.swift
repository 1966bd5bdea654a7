import PortsentryCore

/// The libpcap filter expression for one interface: packets to one of its addresses that could
/// be probes. TCP packets with ACK or RST are dropped in the kernel (most traffic on a busy host);
/// the destination port is checked in the filter while the port list is short, and always in
/// Swift (`PortSet`, O(1)) so long lists do not make the filter long.
///
/// BPF's `tcp[...]` indexing assumes IPv4, so IPv6 uses `ip6[...]` offsets for packets without
/// extension headers, and passes packets with extension headers on to the Swift decoder.
public enum CaptureFilter {
    /// Port lists with more ranges than this are checked in Swift only.
    static let maxPortRanges = 32

    /// A filter that matches nothing: an interface without addresses has nothing to watch.
    static let matchNothing = "less 1"

    public static func expression(addresses: [IPAddress], tcpPorts: PortSet, udpPorts: PortSet) -> String {
        let v4 = addresses.filter { $0.family == .inet }
        let v6 = addresses.filter { $0.family == .inet6 }
        var families: [String] = []
        let tcp = portClause(tcpPorts, proto: "tcp"), udp = portClause(udpPorts, proto: "udp")
        if !v4.isEmpty {
            var probes: [String] = []
            if let tcp { probes.append("(tcp[13] & 0x14 = 0\(tcp))") }
            if let udp { probes.append("(udp\(udp))") }
            if !probes.isEmpty { families.append("(ip and (\(hosts(v4))) and (\(probes.joined(separator: " or "))))") }
        }
        if !v6.isEmpty {
            var probes: [String] = []
            if let tcp { probes.append("(ip6[6] = 6 and ip6[53] & 0x14 = 0\(tcp))") }
            if let udp { probes.append("(ip6[6] = 17\(udp))") }
            if !probes.isEmpty {
                // hop-by-hop, routing, fragment, destination options, AH: decoded in Swift.
                probes.append("ip6[6] = 0 or ip6[6] = 43 or ip6[6] = 44 or ip6[6] = 60 or ip6[6] = 51")
                families.append("(ip6 and (\(hosts(v6))) and (\(probes.joined(separator: " or "))))")
            }
        }
        return families.isEmpty ? matchNothing : families.joined(separator: " or ")
    }

    private static func hosts(_ addresses: [IPAddress]) -> String {
        addresses.map { "dst host \($0)" }.joined(separator: " or ")
    }

    /// `" and (tcp dst port 1 or tcp dst portrange 5-9)"`, `""` for a long list, nil for no ports.
    static func portClause(_ ports: PortSet, proto: String) -> String? {
        if ports.isEmpty { return nil }
        let ranges = runs(ports)
        if ranges.count > maxPortRanges { return "" }
        let items = ranges.map {
            $0.count == 1 ? "\(proto) dst port \($0.lowerBound)" : "\(proto) dst portrange \($0.lowerBound)-\($0.upperBound)"
        }
        return " and (\(items.joined(separator: " or ")))"
    }

    /// The ports as maximal runs of consecutive numbers.
    static func runs(_ ports: PortSet) -> [ClosedRange<UInt16>] {
        var out: [ClosedRange<UInt16>] = []
        for p in ports.ports {
            if let last = out.last, last.upperBound &+ 1 == p {
                out[out.count - 1] = last.lowerBound...p
            } else {
                out.append(p...p)
            }
        }
        return out
    }
}
