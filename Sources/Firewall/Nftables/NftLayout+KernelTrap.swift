import PortsentryCore

/// The kernel trap's rules (docs/nftables.md "Banning in the packet path"): after the drop of
/// banned sources, a probe to a trap port from a source outside the exempt networks adds its
/// source to the family's trap set, for `trapHoldSeconds` (BAN_TIME if shorter), and is dropped,
/// in the same packet. The daemon records the ban in the ban set when it processes the probe.
/// A full trap set takes no more (the rule then lets the probe on): only the packet path adds to
/// it, so its `size` holds — a userspace add to a set the packet path fills at its size lets the
/// kernel's count run past it (Linux 6.18), and then the packet path adds without limit.
///
/// Ports and exempt networks are anonymous *hash* sets in the rules (one element per port, one
/// lookup per prefix length with a mask): an interval set anywhere in the namespace doubles the
/// cost of every libnftables element add (docs/performance.md), anonymous hash sets cost nothing.
/// TCP is matched at priority raw, before conntrack; UDP needs `ct state new`, so with
/// NFT_HOOK=prerouting its rule sits in a second chain at priority mangle, after conntrack.
extension NftLayout {
    /// Every chain this layout may own; the install removes them all before adding its own.
    static let chainNames = ["prerouting", "input", "prerouting_ct"]
    /// How long a trap set holds a source at most: far longer than the daemon takes to record the
    /// ban (milliseconds), and short enough that a trap set a flood filled takes new sources
    /// again within minutes; the daemon bans meanwhile.
    static let trapHoldSeconds: UInt64 = 600

    /// The timeout of a trap set's elements: `trapHoldSeconds`, or BAN_TIME if shorter.
    static func trapTimeout(banSeconds: UInt64) -> UInt64 {
        banSeconds == 0 ? trapHoldSeconds : min(banSeconds, trapHoldSeconds)
    }

    /// The chain that holds the UDP trap rule.
    var udpTrapChain: String { hook == .prerouting ? "prerouting_ct" : chain }

    func trapCommands(_ trap: KernelTrap) -> [String] {
        var lines: [String] = []
        if hook == .prerouting, !trap.udpPorts.isEmpty {
            lines.append("add chain inet \(table) prerouting_ct { type filter hook prerouting priority mangle; policy accept; }")
        }
        for f in AddressFamily.allCases {
            guard let exempt = exemptTerms(trap.exempt, family: f) else { continue }
            let timeout = NftLayout.trapTimeout(banSeconds: trap.banSeconds)
            let ban = "fib daddr . iif type local \(exempt) add @\(trapSetName(f)) { \(f.nftName) saddr timeout \(timeout)s } counter drop"
            let ingress = ingressTerm(trap.ingress)
            if let ports = portTerm(trap.tcpPorts) {
                lines.append("add rule inet \(table) \(chain) \(ingress)meta nfproto \(f == .inet ? "ipv4" : "ipv6") meta l4proto tcp tcp flags & (ack|rst) == 0 tcp dport \(ports) \(ban)")
            }
            if let ports = portTerm(trap.udpPorts) {
                lines.append("add rule inet \(table) \(udpTrapChain) \(ingress)meta nfproto \(f == .inet ? "ipv4" : "ipv6") meta l4proto udp udp dport \(ports) ct state new \(ban)")
            }
        }
        return lines
    }

    /// `ip saddr & 255.0.0.0 != { 10.0.0.0 } ip saddr != { 192.0.2.1 }`: one lookup per prefix
    /// length; nil when a /0 exempts the whole family (no rule for it).
    func exemptTerms(_ exempt: [CIDR], family: AddressFamily) -> String? {
        let byLength = Dictionary(grouping: exempt.filter { $0.network.family == family }, by: \.prefixLength)
        if byLength[0] != nil { return nil }
        return byLength.keys.sorted().map { length in
            let group = byLength[length]!
            let networks = group.map(\.network.description).sorted().joined(separator: ", ")
            let masked = group[0].isHost ? "" : " & \(group[0].netmask)"
            return "\(family.nftName) saddr\(masked) != { \(networks) }"
        }.joined(separator: " ")
    }

    /// `{ 1, 7, 9 }` (each port an element: no interval set), nil for none.
    func portTerm(_ ports: PortSet) -> String? {
        ports.isEmpty ? nil : "{ \(ports.ports.map(String.init).joined(separator: ", ")) }"
    }

    func ingressTerm(_ ingress: KernelTrap.Ingress) -> String {
        switch ingress {
        case .any: ""
        case .notLoopback: "iifname != \"lo\" "
        case .named(let names): "iifname { \(names.map { "\"\($0)\"" }.joined(separator: ", ")) } "
        }
    }

}
